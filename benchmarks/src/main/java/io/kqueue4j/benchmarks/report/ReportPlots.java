package io.kqueue4j.benchmarks.report;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * Turns the CSV that {@code Compare --out} writes into the PNG plots of the benchmark report:
 * {@code ratios.png} (each comparison's median ratio ours/peer beside its limit, on a log scale)
 * and one {@code target-N-UNIT.png} per target and unit (our figure beside the peer's, with the
 * fork range as error bars).
 *
 * <p>Usage: {@code ReportPlots results.csv output-directory}. Runs headless.
 */
public final class ReportPlots {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 480;
  private static final int LABEL = 60;

  /** One CSV row of {@code Compare}: a figure of ours beside its peer's. */
  record Comparison(String target, String ours, double oursValue, double oursMin,
      double oursMax, String peer, double peerValue, double peerMin, double peerMax, String unit,
      double ratio, double limit, boolean absolute, boolean pass) {

    static Comparison of(CSVRecord r) {
      return new Comparison(r.get("target"), r.get("ours_label"), num(r.get("ours")),
          num(r.get("ours_min")), num(r.get("ours_max")), r.get("peer_label"), num(r.get("peer")),
          num(r.get("peer_min")), num(r.get("peer_max")), r.get("unit"), num(r.get("ratio")),
          num(r.get("limit")), Boolean.parseBoolean(r.get("absolute")),
          Boolean.parseBoolean(r.get("pass")));
    }

    /** A short unique label: the target, ours and the peer, cut to {@link #LABEL} characters. */
    String label() {
      String full = target + ": " + ours + " / " + peer;
      return full.length() <= LABEL ? full : full.substring(0, LABEL - 1) + "\u2026";
    }
  }

  private ReportPlots() {}

  /**
   * Writes the plots.
   *
   * @param args the CSV file and the directory for the PNG files
   * @throws IOException if the CSV cannot be read or a PNG cannot be written
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: ReportPlots results.csv output-directory");
    }
    System.setProperty("java.awt.headless", "true");
    List<Comparison> rows = read(Path.of(args[0]));
    Path dir = Files.createDirectories(Path.of(args[1]));
    if (rows.stream().anyMatch(c -> !c.absolute)) {
      BitmapEncoder.saveBitmap(ratios(rows), dir.resolve("ratios.png").toString(),
          BitmapFormat.PNG);
      System.out.println("wrote " + dir.resolve("ratios.png"));
    }
    for (Map.Entry<String, List<Comparison>> group : byTargetAndUnit(rows).entrySet()) {
      String name = "target-" + group.getKey().replace("%", "percent")
          .replaceAll("[^0-9A-Za-z]+", "-") + ".png";
      BitmapEncoder.saveBitmap(figures(group.getValue()),
          dir.resolve(name).toString(), BitmapFormat.PNG);
      System.out.println("wrote " + dir.resolve(name));
    }
  }

  static List<Comparison> read(Path csv) throws IOException {
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
    List<Comparison> rows = new ArrayList<>();
    try (Reader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
      for (CSVRecord r : format.parse(in)) {
        rows.add(Comparison.of(r));
      }
    }
    if (rows.isEmpty()) {
      throw new IOException(csv + " holds no comparison");
    }
    return rows;
  }

  /** The comparisons of each target, split by unit so that one chart has one y axis. */
  private static Map<String, List<Comparison>> byTargetAndUnit(List<Comparison> rows) {
    Map<String, List<Comparison>> groups = new LinkedHashMap<>();
    for (Comparison c : rows) {
      groups.computeIfAbsent(c.target + " " + c.unit, t -> new ArrayList<>()).add(c);
    }
    return groups;
  }

  /** Median ratio beside the limit, for every comparison judged on a ratio. */
  private static CategoryChart ratios(List<Comparison> rows) {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH + 300).height(HEIGHT + 400)
        .title("kqueue4j / peer, median over forks (lower is better)").yAxisTitle("ratio").build();
    List<String> labels = new ArrayList<>();
    List<Double> measured = new ArrayList<>();
    List<Double> limits = new ArrayList<>();
    for (Comparison c : rows) {
      if (!c.absolute) {
        labels.add(c.label() + (c.pass ? "" : " (MISS)"));
        measured.add(c.ratio);
        limits.add(c.limit);
      }
    }
    chart.addSeries("measured ratio", labels, measured);
    chart.addSeries("limit", labels, limits);
    CategoryStyler style = chart.getStyler();
    style.setDefaultSeriesRenderStyle(CategorySeriesRenderStyle.Scatter); // bars need a zero
    style.setYAxisLogarithmic(true);
    style.setXAxisLabelRotation(60);
    style.setYAxisDecimalPattern("0.##");
    style.setLegendPosition(LegendPosition.OutsideE);
    style.setLocale(Locale.ROOT);
    return chart;
  }

  /** Our figure and the peer's for each comparison of one target; error bars span the forks. */
  private static CategoryChart figures(List<Comparison> rows) {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title("target " + rows.get(0).target).yAxisTitle(rows.get(0).unit).build();
    List<String> labels = new ArrayList<>();
    List<Double> ours = new ArrayList<>();
    List<Double> oursSpread = new ArrayList<>();
    List<Double> peer = new ArrayList<>();
    List<Double> peerSpread = new ArrayList<>();
    for (Comparison c : rows) {
      labels.add(c.ours + " vs " + c.peer);
      ours.add(c.oursValue);
      oursSpread.add(halfRange(c.oursMin, c.oursMax));
      peer.add(c.peerValue);
      peerSpread.add(halfRange(c.peerMin, c.peerMax));
    }
    chart.addSeries("kqueue4j", labels, ours, oursSpread);
    chart.addSeries("peer", labels, peer, peerSpread);
    CategoryStyler style = chart.getStyler();
    style.setXAxisLabelRotation(15);
    style.setErrorBarsColorSeriesColor(true);
    style.setLegendPosition(LegendPosition.OutsideE);
    style.setLocale(Locale.ROOT);
    return chart;
  }

  private static double halfRange(double min, double max) {
    return Double.isNaN(min) || Double.isNaN(max) ? 0 : (max - min) / 2;
  }

  private static double num(String s) {
    return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
  }
}
