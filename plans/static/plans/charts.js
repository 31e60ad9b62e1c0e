// Charts of the plan pages, drawn with the ECharts copy the app serves itself.
(function () {
  function sparkline(el) {
    var data = JSON.parse(el.dataset.trend || "{}");
    if (!data.labels || !data.labels.length) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 2, right: 2, top: 4, bottom: 2 },
      xAxis: { type: "category", show: false, data: data.labels },
      yAxis: { type: "value", show: false, scale: true },
      tooltip: { trigger: "axis" },
      series: [
        { name: "实际", type: "line", data: data.values, symbolSize: 4, connectNulls: false },
        { name: "目标", type: "line", data: data.targets, lineStyle: { type: "dashed" }, symbol: "none" }
      ]
    });
  }
  function trend(el) {
    var data = JSON.parse(el.dataset.chart);
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: ["实际值", "目标值"] },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", scale: true },
      series: [
        { name: "实际值", type: "bar", data: data.values },
        { name: "目标值", type: "line", data: data.targets, lineStyle: { type: "dashed" } }
      ]
    });
  }
  function ranking(el) {
    var data = JSON.parse(el.dataset.chart).ranking;
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 120 },
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: data.names },
      series: [{ type: "bar", data: data.values, label: { show: true, position: "right" } }]
    });
  }
  document.querySelectorAll(".sparkline").forEach(sparkline);
  document.querySelectorAll("[data-chart-kind=trend]").forEach(trend);
  document.querySelectorAll("[data-chart-kind=ranking]").forEach(ranking);
})();
