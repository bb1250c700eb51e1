package kiosk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// scrMatter asks what a resident without an ID card reports (反映问题):
// a tap on a matter moves on to the optional phone number, and that is
// all that is asked of them.
const scrMatter = "matter"

// matterScreen lists the matters as tiles, as the purpose screen does.
func (a *App) matterScreen() fyne.CanvasObject {
	var tls []fyne.CanvasObject
	for _, c := range a.st.Categories() {
		label := c.Name
		if a.lang == "en" && c.NameEN != "" {
			label = c.NameEN
		}
		b := newButton(label, plain, nil)
		b.icon, b.wrapAt, b.size = categoryIcon(c.Code), 182, a.tileSize()
		if c.Code == a.f.purpose {
			b.look = chosen
		}
		b.onTap = a.act(func() {
			a.f.purpose, a.f.problem = c.Code, ""
			a.show(scrPhone)
		})
		tls = append(tls, b)
	}
	var body fyne.CanvasObject = container.New(tiles{maxCols: 4}, tls...)
	if len(tls) == 0 {
		msg := newPara(a.tr("暂时无法选择事项，请找工作人员帮忙", "Matters cannot be chosen just now: please ask staff"), sizeBody, red, fullWidth)
		body = container.New(middle{}, msg)
	}
	if a.f.problem != "" {
		body = container.NewBorder(nil, a.problemLine(fullWidth), nil, nil, body)
	}
	back := newButton(a.tr("返回首页", "Start over"), plain, a.act(func() { a.cancel(notice{}) }))
	return a.frame(a.tr("您要反映什么问题？", "What would you like to report?"), body, back)
}
