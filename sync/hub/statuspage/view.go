package statuspage

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// What a page shows.
const (
	viewStatus = iota
	viewNotFound
	viewBusy
	viewDown
)

type view struct {
	Kind             int
	State            words
	Note             string
	Ticket           string
	Record           words
	Matter, MatterEN string
	Date, Updated    string
	Trusted          bool
	Contact          *wire.Staff
}

// words is a state or kind in Chinese and English, with its next step
// and its colour on the page.
type words struct {
	Zh, En       string
	Next, NextEN string
	Class        string
}

// stateWords are the hub's states as a resident reads them.
func stateWords(state string) words {
	switch state {
	case hub.StateInProgress:
		return words{"办理中", "In progress", "工作人员正在办理，无需再次提交。", "Staff are handling it; there is no need to submit it again.", "doing"}
	case hub.StateDone:
		return words{"已办结", "Done", "已经办完。如需领取材料，请带本回执和身份证到服务站。", "It is done. If there is something to collect, bring this receipt and your ID card to the service station.", "done"}
	case hub.StateRejected:
		return words{"已退回", "Returned", "未能办理，原因见说明；有疑问请联系下方工作人员。", "It could not be handled; see the note for why, and ask the contact below.", "returned"}
	default: // received, and any state a newer hub may add
		return words{"已受理", "Received", "工作人员会尽快核对，请留意电话通知。", "Staff will look at it soon; please watch for a phone call.", "received"}
	}
}

// kindWords names a record's kind.
func kindWords(kind string) words {
	switch kind {
	case wire.KindRegistration:
		return words{Zh: "来访登记", En: "Registration"}
	case wire.KindMatter:
		return words{Zh: "反映事项", En: "Matter reported"}
	case wire.KindReceipt:
		return words{Zh: "办事回执", En: "Service receipt"}
	case wire.KindVolunteer:
		return words{Zh: "志愿服务", En: "Volunteer service"}
	}
	return words{Zh: "记录", En: "Record"}
}

func render(w http.ResponseWriter, code int, v view) {
	var b bytes.Buffer
	if err := page.Execute(&b, v); err != nil {
		http.Error(w, "status page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(code)
	w.Write(b.Bytes())
}

// The page's colours: every text on its background is at least 4.5:1
// (WCAG AA; the browser test measures them): #1a1a1a and #4a4a4a on
// white, white on each state's colour.
var page = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>{{if eq .Kind 0}}办理进度 {{.Ticket}}{{else}}办理进度查询{{end}}</title>
<style>
body { margin: 0; background: #ffffff; color: #1a1a1a; font: 20px/1.6 "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
main { max-width: 36em; margin: 0 auto; padding: 16px; }
h1 { font-size: 26px; margin: 8px 0 16px; }
.en { display: block; color: #4a4a4a; font-size: 18px; }
.state { border-radius: 8px; padding: 16px; color: #ffffff; margin-bottom: 20px; }
.state .en { color: #ffffff; }
.state strong { font-size: 36px; display: block; }
.received { background: #37474f; }
.doing { background: #0d47a1; }
.done { background: #1b5e20; }
.returned { background: #b71c1c; }
dl { margin: 0; }
dt { font-weight: bold; margin-top: 14px; }
dd { margin: 0; }
a { color: #0d47a1; }
.foot { margin-top: 28px; border-top: 1px solid #767676; padding-top: 12px; }
</style>
</head>
<body>
<main>
{{- if eq .Kind 0}}
<h1>办理进度<span class="en" lang="en">Progress of your matter</span></h1>
<div class="state {{.State.Class}}" id="state"><strong>{{.State.Zh}}</strong><span class="en" lang="en">{{.State.En}}</span></div>
<dl>
<dt>下一步<span class="en" lang="en">Next step</span></dt>
<dd id="next">{{.State.Next}}<span class="en" lang="en">{{.State.NextEN}}</span></dd>
{{- if .Note}}
<dt>说明<span class="en" lang="en">Note from staff</span></dt>
<dd id="note">{{.Note}}</dd>
{{- end}}
<dt>联系人<span class="en" lang="en">Contact</span></dt>
{{- if .Contact}}
<dd id="contact">网格员 {{.Contact.Name}}{{if .Contact.Phone}}　<a href="tel:{{.Contact.Phone}}">{{.Contact.Phone}}</a>{{end}}<span class="en" lang="en">Grid leader</span></dd>
{{- else}}
<dd id="contact">请到服务站咨询工作人员。<span class="en" lang="en">Please ask the staff at the service station.</span></dd>
{{- end}}
<dt>票号<span class="en" lang="en">Ticket</span></dt>
<dd id="ticket">{{.Ticket}}</dd>
<dt>类型<span class="en" lang="en">Kind</span></dt>
<dd id="kind">{{.Record.Zh}}{{if .Matter}}：{{.Matter}}{{end}}<span class="en" lang="en">{{.Record.En}}{{if .MatterEN}}: {{.MatterEN}}{{end}}</span></dd>
<dt>日期<span class="en" lang="en">Date</span></dt>
<dd id="date">{{.Date}}{{if not .Trusted}}（站点时钟未校准，仅供参考）<span class="en" lang="en">the station's clock was not set; approximate</span>{{end}}</dd>
<dt>更新<span class="en" lang="en">Last update</span></dt>
<dd id="updated">{{.Updated}}</dd>
</dl>
{{- else if eq .Kind 1}}
<h1>未找到这条记录<span class="en" lang="en">No such record</span></h1>
<p>请核对回执上的二维码，或到服务站咨询工作人员。<span class="en" lang="en">Check the QR code on your receipt, or ask the staff at the service station.</span></p>
{{- else if eq .Kind 2}}
<h1>查询太频繁<span class="en" lang="en">Too many look-ups</span></h1>
<p>请一分钟后再试。<span class="en" lang="en">Please try again in a minute.</span></p>
{{- else}}
<h1>暂时无法查询<span class="en" lang="en">Not available just now</span></h1>
<p>请稍后再试。<span class="en" lang="en">Please try again later.</span></p>
{{- end}}
<p class="foot">网格服务站 · 办理进度查询<span class="en" lang="en">Community grid service station · progress look-up</span></p>
</main>
</body>
</html>
`))
