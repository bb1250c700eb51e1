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
		b := a.matterTile(label, c.Code)
		if c.Code == a.f.purpose {
			b.look = chosen
		}
		b.onTap = a.act(func() {
			a.f.purpose, a.f.problem = c.Code, ""
			a.show(scrPhone)
		})
		tls = append(tls, b)
	}
	body, more := a.matterTiles(tls)
	if len(tls) == 0 {
		msg := newPara(a.tr("暂时无法选择事项，请找工作人员帮忙", "Matters cannot be chosen just now: please ask staff"), a.sz.body, red, a.fullWidth())
		body = container.New(middle{}, msg)
	}
	if a.f.problem != "" {
		body = container.NewBorder(nil, a.problemLine(a.fullWidth()), nil, nil, body)
	}
	back := a.newButton(a.tr("返回首页", "Start over"), plain, a.act(func() { a.cancel(notice{}) }))
	if more != nil {
		back.label = a.tr("返回首页", "Cancel")
		return a.frame(a.tr("您要反映什么问题？", "What to report?"), body, back, more)
	}
	return a.frame(a.tr("您要反映什么问题？", "What would you like to report?"), body, back)
}
