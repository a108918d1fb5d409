/* ipfin UI shell. No inline scripts (CSP script-src 'self'): behaviour is wired here from data-* attributes. */
(function () {
  "use strict";

  var palette = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#d63384", "#198754", "#0dcaf0", "#ffc107", "#6c757d"];

  /* A chart element: <div data-echarts="bar" data-echarts-source="ID"> where ID is a json_script tag
     holding {"title", "labels": [...], "values": [...], "series_name"}. */
  function initChart(element) {
    if (typeof window.echarts === "undefined" || element.dataset.echartsReady) {
      return;
    }
    var source = document.getElementById(element.dataset.echartsSource);
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    var kind = element.dataset.echarts;
    var option;
    if (kind === "pie") {
      option = {
        color: palette,
        tooltip: { trigger: "item" },
        legend: { bottom: 0 },
        series: [{
          name: data.series_name, type: "pie", radius: ["40%", "70%"],
          data: data.labels.map(function (label, i) { return { name: label, value: data.values[i] }; })
        }]
      };
    } else {
      option = {
        color: palette,
        tooltip: { trigger: "axis" },
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 5 ? 30 : 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{
          name: data.series_name, type: "bar", data: data.values, barMaxWidth: 36,
          itemStyle: { borderRadius: [4, 4, 0, 0] }, label: { show: true, position: "top" }
        }]
      };
    }
    /* "finished" fires once rendering and the entry animation are done (tests and screenshots wait for it). */
    chart.on("finished", function () { element.dataset.echartsFinished = "true"; });
    chart.setOption(option);
    element.dataset.echartsReady = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function initCharts(root) {
    (root || document).querySelectorAll("[data-echarts]").forEach(initChart);
  }

  document.addEventListener("DOMContentLoaded", function () { initCharts(document); });
  /* Content swapped in by htmx may carry charts too. */
  document.body.addEventListener("htmx:afterSettle", function (event) { initCharts(event.target); });
})();
