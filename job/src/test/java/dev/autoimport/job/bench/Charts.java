package dev.autoimport.job.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The benchmark's two charts, drawn from the same numbers as its tables. */
final class Charts {

    static final String RATE_PNG = "import-rate.png";
    static final String FRESHNESS_PNG = "time-to-reflect-100-changes.png";

    private Charts() {}

    /** Full-sync rate of rclone and the import job against the raw GET ceiling, per container. */
    static void importRate(Results results, Path file) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Results.Row r : results.rows) {
            if (r.mixed() || !r.phase().equals(Results.FULL)) {
                continue;
            }
            String category = String.format("%,d blobs", r.containerBlobs());
            Ceiling.Result ceiling = results.ceilings.get(r.container());
            if (ceiling != null && data.getColumnIndex(category) < 0) {
                data.addValue(ceiling.requestsPerSecond(), "raw GET ceiling", category);
            }
            data.addValue(r.blobsPerSecond(), r.tool(), category);
        }
        JFreeChart chart =
                ChartFactory.createBarChart(
                        "Full sync of small blobs (1–4 KiB) against the raw GET ceiling",
                        "container",
                        "blobs per second",
                        data,
                        PlotOrientation.VERTICAL,
                        true,
                        false,
                        false);
        chart.addSubtitle(new TextTitle("Azurite 3.37 in memory, 2 cores; higher is better"));
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.GRAY);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setDrawBarOutline(false);
        renderer.setShadowVisible(false);
        renderer.setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
        Color[] colors = {
            new Color(150, 150, 150), new Color(230, 120, 40), new Color(40, 110, 200)
        };
        for (int i = 0; i < data.getRowCount() && i < colors.length; i++) {
            renderer.setSeriesPaint(i, colors[i]);
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 520);
    }

    /** Seconds until 100 changes are in the tree, against the container's size (log scale). */
    static void freshness(Results results, Path file) throws IOException {
        XYSeries rclone = new XYSeries("rclone sync (full re-list)");
        XYSeries walk = new XYSeries("import job (full re-walk)");
        XYSeries feed = new XYSeries("auto-import (change feed)");
        String note = null;
        for (Results.Freshness f : results.freshness) {
            add(rclone, f.containerBlobs(), f.rcloneSeconds());
            add(walk, f.containerBlobs(), f.importSeconds());
            add(feed, f.containerBlobs(), f.autoImportSeconds());
            if (f.autoImportSeconds().isEmpty()) {
                note = f.autoImportNote();
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(rclone);
        data.addSeries(walk);
        if (feed.getItemCount() > 0) {
            data.addSeries(feed);
        }
        JFreeChart chart =
                ChartFactory.createXYLineChart(
                        "Time to reflect 100 changes as the container grows",
                        "blobs in the container",
                        "seconds",
                        data,
                        PlotOrientation.VERTICAL,
                        true,
                        false,
                        false);
        chart.addSubtitle(
                new TextTitle("lower is better" + (note == null ? "" : "; auto-import: " + note)));
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.GRAY);
        plot.setDomainGridlinePaint(Color.GRAY);
        LogAxis x = new LogAxis("blobs in the container (log scale)");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setNumberFormatOverride(new java.text.DecimalFormat("#,##0"));
        plot.setDomainAxis(x);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        Color[] colors = {new Color(230, 120, 40), new Color(40, 110, 200), new Color(40, 160, 80)};
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, colors[i]);
            renderer.setSeriesStroke(i, new BasicStroke(2.5f));
        }
        plot.setRenderer(renderer);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 520);
    }

    private static void add(XYSeries series, int x, Optional<Double> y) {
        y.ifPresent(v -> series.add(x, v));
    }
}
