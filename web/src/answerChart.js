// The answer-time report's chart (issue 14, RULE-ALARM-045): per region, the shares answered
// within 60 s and 180 s as bars, the targets (97.5 %, 99 %) as lines; only the ECharts parts it
// needs, loaded on demand like bars.js.
import * as echarts from 'echarts/core'
import { BarChart } from 'echarts/charts'
import { GridComponent, TooltipComponent, LegendComponent, MarkLineComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, CanvasRenderer])

// rows: [{ name, share_60, share_180 }] (shares 0..1 or null); targets: { share_60, share_180 };
// onClick(index) drills down. `large` (长辈模式): 18 px black labels.
export function answerChart(el, rows, targets, onClick, { large = false } = {}) {
  const chart = echarts.init(el, null, { renderer: 'canvas' })
  const size = large ? 18 : 13
  const color = large ? '#000' : '#333'
  const pct = (x) => (x == null ? null : Math.round(x * 1000) / 10)
  // The targets are dashed lines in their series' colour, named in the legend: two labels on
  // lines 1.5 points apart would print over each other and over the axis's 100%.
  const line = (v, c) => ({ silent: true, symbol: 'none', lineStyle: { color: c, type: 'dashed', width: 2 },
    label: { show: false }, data: [{ xAxis: v * 100 }] })
  const target = (v) => `（目标 ${Math.round(v * 1000) / 10}%，虚线）`
  chart.setOption({
    animation: false,
    legend: { top: 0, textStyle: { fontSize: size, color } },
    tooltip: { trigger: 'axis', valueFormatter: (v) => (v == null ? '无告警' : `${v}%`) },
    grid: { left: 8, right: 56, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%', fontSize: size, color } },
    yAxis: {
      type: 'category', inverse: true, data: rows.map((r) => r.name),
      axisLabel: { fontSize: size, color, width: large ? 150 : 130, overflow: 'truncate' },
    },
    series: [
      { name: '60 秒内响应' + target(targets.share_60), type: 'bar', data: rows.map((r) => pct(r.share_60)), barMaxWidth: 18,
        itemStyle: { color: '#1f5fbf' }, cursor: 'pointer', markLine: line(targets.share_60, '#1f5fbf') },
      { name: '180 秒内响应' + target(targets.share_180), type: 'bar', data: rows.map((r) => pct(r.share_180)), barMaxWidth: 18,
        itemStyle: { color: '#2f7d4a' }, cursor: 'pointer', markLine: line(targets.share_180, '#2f7d4a') },
    ],
  })
  chart.on('click', (p) => onClick(p.dataIndex))
  return chart
}
