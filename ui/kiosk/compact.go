package kiosk

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// perPage is how many matter tiles a page of the compact screen holds
// when their names are long (English): two by two, each name on up to
// two lines of large type.
const perPage = 4

// matterTiles lays out the matter tiles of the purpose and matter
// screens. On the compact screen in English the names are too long for
// four across in large type, so they come perPage at a time, with a
// 下一页 button (returned, for the footer) that turns to the next page
// and from the last back to the first. The page is kept while the screen
// is shown again (a language or type switch) and starts afresh on
// another screen.
func (a *App) matterTiles(tls []fyne.CanvasObject) (fyne.CanvasObject, *button) {
	if !a.cramped() || a.lang != "en" || len(tls) <= perPage {
		return container.New(tiles{maxCols: 4}, tls...), nil
	}
	if a.tiles.screen != a.screen {
		a.tiles = tilePage{screen: a.screen}
	}
	pages := (len(tls) + perPage - 1) / perPage
	p := a.tiles.page % pages
	for _, t := range tls {
		if b, ok := t.(*button); ok {
			b.wrapAt = (a.fullWidth() - gap) / 2
		}
	}
	shown := tls[p*perPage : min(len(tls), (p+1)*perPage)]
	more := a.newButton(fmt.Sprintf("%s %d/%d", a.tr("下一页", "More"), p+1, pages), plain, a.act(func() {
		a.tiles.page = (p + 1) % pages
		a.show(a.screen)
	}))
	return container.New(tiles{maxCols: 2}, shown...), more
}

// tilePage is the page of matter tiles shown, and on which screen.
type tilePage struct {
	screen string
	page   int
}
