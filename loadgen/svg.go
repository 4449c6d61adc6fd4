package loadgen

import (
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"strings"
)

// The charts are SVG drawn here, inline in the report: no library, no
// network. A small script in the page adds the hover read-out from the
// data-chart attribute.

// palette is the series colours, in order.
var palette = []string{"#2563eb", "#f97316", "#16a34a", "#dc2626", "#9333ea", "#0891b2", "#ca8a04", "#db2777", "#4b5563"}

// line is one series of a line chart.
type line struct {
	Name  string    `json:"name"`
	Color string    `json:"color"`
	X     []float64 `json:"x"`
	Y     []float64 `json:"y"`
	Right bool      `json:"right,omitempty"` // on the right axis
	Area  bool      `json:"-"`
	Dash  bool      `json:"-"`
	Unit  string    `json:"unit"`
}

// chart is a line chart with a left and an optional right axis.
type chart struct {
	Title      string
	YLabel     string
	RightLabel string
	Lines      []line
	Events     []Event
	LogY       bool
	Width      int
	Height     int
}

const (
	padL, padR, padT, padB = 62, 62, 52, 36
)

// niceTicks returns about n round tick values covering [lo, hi].
func niceTicks(lo, hi float64, n int) []float64 {
	if hi <= lo {
		hi = lo + 1
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []float64
	for v := math.Floor(lo/step) * step; len(out) < 4*n+2; v += step {
		out = append(out, v)
		if v >= hi-step*1e-9 {
			break
		}
	}
	return out
}

// shortNum formats an axis value: 1.2k, 35, 0.5.
func shortNum(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e6:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v/1e6), ".0") + "M"
	case a >= 1e3:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v/1e3), ".0") + "k"
	case a >= 10 || v == math.Trunc(v):
		return fmt.Sprintf("%.0f", v)
	case a >= 1:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0")
	}
	return fmt.Sprintf("%.2g", v)
}

// svg renders the chart.
func (c chart) svg() template.HTML {
	if c.Width == 0 {
		c.Width = 560
	}
	if c.Height == 0 {
		c.Height = 240
	}
	w, h := float64(c.Width), float64(c.Height)
	x0, x1, y0, y1 := float64(padL), w-padR, float64(padT), h-padB
	xmin, xmax := math.Inf(1), math.Inf(-1)
	lmax, rmax := 0.0, 0.0
	lmin := math.Inf(1)
	hasRight := false
	for _, l := range c.Lines {
		for i, x := range l.X {
			xmin, xmax = math.Min(xmin, x), math.Max(xmax, x)
			y := l.Y[i]
			if math.IsNaN(y) {
				continue
			}
			if l.Right {
				rmax = math.Max(rmax, y)
				hasRight = true
			} else {
				lmax = math.Max(lmax, y)
				if y > 0 {
					lmin = math.Min(lmin, y)
				}
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`,
		c.Width, c.Height, c.Width, c.Height, template.HTMLEscapeString(c.Title))
	fmt.Fprintf(&b, `<text class="ct" x="%g" y="18">%s</text>`, x0, template.HTMLEscapeString(c.Title))
	if math.IsInf(xmin, 1) {
		fmt.Fprintf(&b, `<text class="empty" x="%g" y="%g">no data</text></svg>`, (x0+x1)/2, (y0+y1)/2)
		return template.HTML(b.String())
	}
	if xmax <= xmin {
		xmax = xmin + 1
	}
	if lmax <= 0 {
		lmax = 1
	}
	if rmax <= 0 {
		rmax = 1
	}
	var lt, rt []float64
	var ly func(float64) float64
	if c.LogY {
		if math.IsInf(lmin, 1) {
			lmin = 1
		}
		lo := math.Pow(10, math.Floor(math.Log10(lmin)))
		hi := math.Pow(10, math.Ceil(math.Log10(lmax)))
		if hi <= lo {
			hi = lo * 10
		}
		for v := lo; v <= hi*1.001; v *= 10 {
			lt = append(lt, v)
		}
		ly = func(v float64) float64 {
			v = math.Max(v, lo)
			return y1 - (math.Log10(v)-math.Log10(lo))/(math.Log10(hi)-math.Log10(lo))*(y1-y0)
		}
	} else {
		lt = niceTicks(0, lmax, 4)
		top := lt[len(lt)-1]
		ly = func(v float64) float64 { return y1 - v/top*(y1-y0) }
	}
	rt = niceTicks(0, rmax, 4)
	rtop := rt[len(rt)-1]
	ry := func(v float64) float64 { return y1 - v/rtop*(y1-y0) }
	xt := niceTicks(xmin, xmax, 6)
	xs := func(v float64) float64 { return x0 + (v-xmin)/(xmax-xmin)*(x1-x0) }

	// Grid and axes.
	for _, v := range lt {
		y := ly(v)
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, x0, x1, y, y)
		fmt.Fprintf(&b, `<text class="tl" x="%.1f" y="%.1f">%s</text>`, x0-6, y+4, shortNum(v))
	}
	if hasRight {
		for _, v := range rt {
			fmt.Fprintf(&b, `<text class="tr" x="%.1f" y="%.1f">%s</text>`, x1+6, ry(v)+4, shortNum(v))
		}
	}
	for _, v := range xt {
		if v < xmin-1e-9 || v > xmax+1e-9 {
			continue
		}
		x := xs(v)
		fmt.Fprintf(&b, `<line class="tick" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, x, x, y1, y1+4)
		fmt.Fprintf(&b, `<text class="tx" x="%.1f" y="%.1f">%ss</text>`, x, y1+16, shortNum(v))
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, x0, x1, y1, y1)
	if c.YLabel != "" {
		fmt.Fprintf(&b, `<text class="yl" transform="translate(14 %.1f) rotate(-90)">%s</text>`, (y0+y1)/2, template.HTMLEscapeString(c.YLabel))
	}
	if hasRight && c.RightLabel != "" {
		fmt.Fprintf(&b, `<text class="yl" transform="translate(%.1f %.1f) rotate(90)">%s</text>`, w-12, (y0+y1)/2, template.HTMLEscapeString(c.RightLabel))
	}
	// Events.
	for _, ev := range c.Events {
		if ev.At < xmin || ev.At > xmax {
			continue
		}
		x := xs(ev.At)
		fmt.Fprintf(&b, `<line class="ev" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, x, x, y0, y1)
		fmt.Fprintf(&b, `<text class="evl" x="%.1f" y="%.1f">%s</text>`, x+3, y0+9, template.HTMLEscapeString(ev.Label))
	}
	// Series.
	for _, l := range c.Lines {
		yf := ly
		if l.Right {
			yf = ry
		}
		var pts []string
		for i, x := range l.X {
			if math.IsNaN(l.Y[i]) {
				continue
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", xs(x), yf(l.Y[i])))
		}
		if len(pts) == 0 {
			continue
		}
		if l.Area && len(pts) > 1 {
			fmt.Fprintf(&b, `<polygon fill="%s" fill-opacity="0.13" points="%.1f,%.1f %s %.1f,%.1f"/>`,
				l.Color, xs(l.X[0]), y1, strings.Join(pts, " "), xs(l.X[len(l.X)-1]), y1)
		}
		dash := ""
		if l.Dash {
			dash = ` stroke-dasharray="5 3"`
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.8"%s points="%s"/>`, l.Color, dash, strings.Join(pts, " "))
	}
	// Legend, under the title, wrapping.
	lx, ly0 := x0, 34.0
	for _, l := range c.Lines {
		name := l.Name
		if l.Right && hasRight {
			name += " (right)"
		}
		wd := 22 + 6.0*float64(len([]rune(name)))
		if lx+wd > w-8 && lx > x0 {
			lx, ly0 = x0, ly0+13
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="12" height="3" rx="1" fill="%s"/>`, lx, ly0-4, l.Color)
		fmt.Fprintf(&b, `<text class="lg" x="%.1f" y="%.1f">%s</text>`, lx+16, ly0, template.HTMLEscapeString(name))
		lx += wd
	}
	// Hover read-out data.
	meta := map[string]any{"x0": x0, "x1": x1, "y0": y0, "y1": y1, "xmin": xmin, "xmax": xmax, "lines": c.Lines}
	js, _ := json.Marshal(meta)
	fmt.Fprintf(&b, `<rect class="hover" x="%.1f" y="%.1f" width="%.1f" height="%.1f" data-chart="%s"/>`,
		x0, y0, x1-x0, y1-y0, template.HTMLEscapeString(string(js)))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// bars is a grouped horizontal bar chart: per row, one bar per measure.
type bars struct {
	Title    string
	Unit     string
	Rows     []string
	Measures []string
	Values   [][]float64 // [row][measure]
	LogX     bool
	Width    int
}

func (c bars) svg() template.HTML {
	if c.Width == 0 {
		c.Width = 560
	}
	rowH := 8*len(c.Measures) + 12
	h := padT + rowH*len(c.Rows) + 40
	longest := 0
	for _, r := range c.Rows {
		longest = max(longest, len([]rune(r)))
	}
	x0, x1 := math.Min(40+6.2*float64(longest), 240), float64(c.Width)-30
	vmax, vmin := 0.0, math.Inf(1)
	for _, r := range c.Values {
		for _, v := range r {
			vmax = math.Max(vmax, v)
			if v > 0 {
				vmin = math.Min(vmin, v)
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`,
		c.Width, h, c.Width, h, template.HTMLEscapeString(c.Title))
	fmt.Fprintf(&b, `<text class="ct" x="10" y="18">%s</text>`, template.HTMLEscapeString(c.Title))
	if vmax <= 0 {
		b.WriteString(`</svg>`)
		return template.HTML(b.String())
	}
	var ticks []float64
	var xs func(float64) float64
	if c.LogX {
		lo := math.Pow(10, math.Floor(math.Log10(math.Max(vmin, 0.01))))
		hi := math.Pow(10, math.Ceil(math.Log10(vmax)))
		for v := lo; v <= hi*1.001; v *= 10 {
			ticks = append(ticks, v)
		}
		xs = func(v float64) float64 {
			v = math.Max(v, lo)
			return x0 + (math.Log10(v)-math.Log10(lo))/(math.Log10(hi)-math.Log10(lo))*(x1-x0)
		}
	} else {
		ticks = niceTicks(0, vmax, 5)
		top := ticks[len(ticks)-1]
		xs = func(v float64) float64 { return x0 + v/top*(x1-x0) }
	}
	yEnd := float64(padT + rowH*len(c.Rows))
	for _, t := range ticks {
		x := xs(t)
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%d" y2="%.1f"/>`, x, x, padT, yEnd)
		fmt.Fprintf(&b, `<text class="tx" x="%.1f" y="%.1f">%s</text>`, x, yEnd+14, shortNum(t)+" "+c.Unit)
	}
	for i, row := range c.Rows {
		y := float64(padT + i*rowH)
		fmt.Fprintf(&b, `<text class="tl" x="%.1f" y="%.1f">%s</text>`, x0-8, y+float64(rowH)/2+2, template.HTMLEscapeString(row))
		for j, v := range c.Values[i] {
			by := y + 4 + float64(j*8)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="7" fill="%s"><title>%s %s: %s %s</title></rect>`,
				x0, by, math.Max(1, xs(v)-x0), palette[j%len(palette)], template.HTMLEscapeString(row), c.Measures[j], shortNum(v), c.Unit)
			fmt.Fprintf(&b, `<text class="bv" x="%.1f" y="%.1f">%s</text>`, xs(v)+4, by+6.5, shortNum(v))
		}
	}
	lx := x0
	for j, m := range c.Measures {
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="10" height="7" fill="%s"/>`, lx, yEnd+24, palette[j%len(palette)])
		fmt.Fprintf(&b, `<text class="lg" x="%.1f" y="%.1f">%s</text>`, lx+14, yEnd+31, m)
		lx += 60
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
