// Draws the chart of each report table from the figures the page carries as JSON. The table
// under each chart holds the same figures, so the page is complete without this file.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof window.Chart === "undefined") {
    return;
  }
  // Colours with at least 3:1 contrast against white, told apart by their order too.
  var colours = ["#3d2a6b", "#1d70b8", "#d4351c", "#00703c", "#6f3c00", "#912b88", "#505a5f", "#0b0c0c"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (data.horizontal) {
      // One readable line per bar.
      canvas.parentNode.style.height = Math.max(160, data.labels.length * 26 + 70) + "px";
    }
    var categoryTicks = { color: "#0b0c0c", autoSkip: false };
    var valueTicks = { color: "#0b0c0c", precision: 0 };
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, index) {
          return {
            label: series.label,
            data: series.values,
            backgroundColor: colours[index % colours.length],
            borderColor: "#ffffff",
            borderWidth: 1
          };
        })
      },
      options: {
        indexAxis: data.horizontal ? "y" : "x",
        animation: false,
        maintainAspectRatio: false,
        responsive: true,
        scales: {
          x: { stacked: data.stacked, beginAtZero: true, ticks: data.horizontal ? valueTicks : categoryTicks },
          y: { stacked: data.stacked, beginAtZero: true, ticks: data.horizontal ? categoryTicks : valueTicks }
        },
        plugins: {
          legend: { labels: { color: "#0b0c0c" } },
          title: { display: false }
        }
      }
    });
  });
});
