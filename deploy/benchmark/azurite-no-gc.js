// Starts the pinned Azurite blob service (its main.js is the first argument; the rest are
// Azurite's own options) with its extent garbage collector's interval set to 24 hours instead of
// 10 minutes. With 100,000+ blobs in memory, one mark-and-sweep pass blocks Azurite's only thread
// for more than 10 minutes (seen twice, mid-benchmark); the benchmark never deletes data it still
// needs, so there is nothing for the collector to do. Nothing else in Azurite is changed.
const path = require("path");
const mainJs = process.argv.splice(2, 1)[0];
require(path.join(path.dirname(mainJs), "utils", "constants")).DEFAULT_GC_INTERVAL_MS =
  24 * 60 * 60 * 1000;
require(mainJs);
