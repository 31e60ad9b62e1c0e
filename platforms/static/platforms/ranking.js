// The ranking page's chart: each platform's official score, best first.
document.querySelectorAll("[data-chart-kind=platform-ranking]").forEach(function (el) {
  var d = JSON.parse(el.dataset.chart);
  echarts.init(el, null, { renderer: "svg" }).setOption({
    tooltip: { trigger: "axis" }, grid: { left: 40, right: 10, bottom: 80 },
    xAxis: { type: "category", data: d.names, axisLabel: { rotate: 30, interval: 0 } },
    yAxis: { type: "value", name: "得分", max: 100 },
    series: [{ name: "得分", type: "bar", data: d.scores }]
  });
});
