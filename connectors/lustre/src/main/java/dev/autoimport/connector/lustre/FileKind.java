package dev.autoimport.connector.lustre;

/** The kinds of namespace entry the mirror creates. */
public enum FileKind {
    FILE,
    DIRECTORY,
    SYMLINK
}
