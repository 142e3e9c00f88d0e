/* Charts for the department page, drawn with Apache ECharts (static/vendor/echarts).
 *
 * The page is complete without this script: every figure is in a table below its chart slot.
 * The script only adds the charts, each labelled for screen readers as an image whose data
 * is in the table that follows. Amounts arrive as strings (Decimal on the server); they are
 * turned into numbers only for drawing.
 *
 * A budget and the final accounts of one year are two figures of that year, never two points in time:
 * the x axis is the calendar year, and each kind is a series of its own (a budget's line is dashed).
 */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof window.echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var COLORS = ["#0b4f8a", "#9b1c1c", "#2e7d32", "#8a6d00", "#5e35b1", "#00695c", "#ad1457", "#37474f"];

  function number(value) { return value === null || value === undefined ? null : Number(value); }
  function money(value) {
    return Number(value).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + " 万元";
  }
  // A tooltip's formatter returns markup: names from the workbook go in as text.
  function text(value) { return window.echarts.format.encodeHTML(String(value)); }
  function numericTree(nodes) {
    return nodes.map(function (node) {
      var out = { name: node.name, value: number(node.value) };
      if (node.children && node.children.length) out.children = numericTree(node.children);
      return out;
    });
  }

  // Text lines, not ECharts' default markup: its coloured markers are style attributes, which the
  // Content-Security-Policy (style-src 'self') refuses.
  var axisTooltip = {
    trigger: "axis",
    formatter: function (items) {
      return [text(items[0].axisValueLabel)].concat(items.map(function (item) {
        var value = item.value === null || item.value === undefined ? "—" : money(item.value);
        return text(item.seriesName + "：" + value);
      })).join("<br>");
    }
  };
  var DASHED = { budget: "dashed", final_accounts: "solid" };

  var builders = {
    totalsByYear: function (chart) {
      return {
        tooltip: axisTooltip,
        legend: { bottom: 0, type: "scroll" },
        grid: { left: 64, right: 24, top: 40, bottom: 64 },
        xAxis: { type: "category", data: chart.years },
        yAxis: { type: "value", name: "万元" },
        series: chart.series.map(function (s) {
          return { type: "bar", name: s.name, data: s.data.map(number), barMaxWidth: 48 };
        })
      };
    },
    functionTree: function (chart) {
      return {
        series: [{
          type: "treemap", name: "全部", data: numericTree(chart.data), leafDepth: 1,
          roam: false, nodeClick: "zoomToNode",
          breadcrumb: { show: true, bottom: 4, itemStyle: { color: "#37474f" }, emphasis: { itemStyle: { color: "#1d2329" } } },
          label: { show: true, formatter: "{b}", color: "#fff", overflow: "break" },
          upperLabel: { show: false },
          levels: [{ itemStyle: { borderColor: "#fff", borderWidth: 2, gapWidth: 2 } }],
          tooltip: { formatter: function (info) { return text(info.name + "：" + money(info.value)); } }
        }],
        tooltip: {}
      };
    },
    incomeSources: function (chart) {
      var items = chart.data.map(function (d) { return { name: d.name, value: number(d.value) }; })
        .filter(function (d) { return d.value > 0; });
      return {
        tooltip: { trigger: "item", formatter: function (info) { return text(info.name + "：" + money(info.value) + "（" + info.percent + "%）"); } },
        legend: { bottom: 0, type: "scroll" },
        series: [{ type: "pie", radius: ["35%", "65%"], data: items, label: { formatter: "{b}\n{d}%" } }]
      };
    },
    threePublicTrend: function (chart) {
      // One colour per part; the budget's line dashed, the final accounts' solid.
      var parts = [];
      chart.series.forEach(function (s) {
        var part = s.name.replace(/（[^）]*）$/, "");
        if (parts.indexOf(part) < 0) parts.push(part);
      });
      return {
        tooltip: axisTooltip,
        legend: { bottom: 0, type: "scroll" },
        grid: { left: 56, right: 24, top: 40, bottom: 64 },
        xAxis: { type: "category", data: chart.years },
        yAxis: { type: "value", name: "万元" },
        series: chart.series.map(function (s) {
          var colour = COLORS[parts.indexOf(s.name.replace(/（[^）]*）$/, "")) % COLORS.length];
          return {
            type: "line", name: s.name, data: s.data.map(number), connectNulls: false, symbolSize: 8,
            symbol: s.kind === "budget" ? "emptyCircle" : "circle",
            itemStyle: { color: colour }, lineStyle: { color: colour, type: DASHED[s.kind] || "solid" }
          };
        })
      };
    }
  };

  var charts = [];
  document.querySelectorAll(".chart-slot[data-chart]").forEach(function (slot) {
    var key = slot.getAttribute("data-chart");
    var chart = data[key];
    if (!chart || !builders[key]) return;
    var figure = document.createElement("figure");
    figure.className = "chart-figure";
    var canvas = document.createElement("div");
    canvas.className = "chart";
    canvas.id = "chart-" + key;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", slot.getAttribute("data-label") || chart.title);
    var caption = document.createElement("figcaption");
    caption.textContent = chart.title + "（图表数据见下表）";
    figure.appendChild(canvas);
    figure.appendChild(caption);
    slot.appendChild(figure);
    var instance = window.echarts.init(canvas, null, { renderer: "svg" });
    var option = builders[key](chart);
    option.color = COLORS;
    option.textStyle = { fontFamily: FONT };
    // ECharts writes the label onto the chart element; its generated one reads poorly in Chinese, so give ours.
    option.aria = { enabled: true, decal: { show: true }, label: { description: canvas.getAttribute("aria-label") } };
    option.animation = false;
    instance.setOption(option);
    slot.setAttribute("data-rendered", "true");
    charts.push(instance);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
