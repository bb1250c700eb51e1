// Package printer turns receipts into ESC/POS for the 58 mm and 80 mm
// thermal printers sold in China, and reads the status those printers
// report.
//
// A receipt is built as a [Doc] of blocks (text, key–value lines,
// separators, QR codes, barcodes, images, feeds and cuts) and encoded for a
// [Profile], which says how wide the paper is and what the printer can do.
// Layout happens at encode time, so one Doc prints on either paper width.
//
// # Chinese text
//
// Printers sold in China have a GB18030 font built in, so text is sent as
// GB18030 bytes. Most print those bytes as they come; some need Chinese
// mode switched on first (FS &), which [Profile.ChineseMode] asks for; a
// few have no Chinese font at all, for which [Profile.Raster] draws
// everything with the bundled CJK font and sends pictures.
//
// The printer's Font A cell is 12×24 dots. An ASCII character takes one
// cell and any other character, being a GB18030 double-byte character,
// takes two: that is what the printer does, so [Width] and [Wrap] count
// that way rather than by Unicode's East Asian Width, in which "é" or "·"
// would be narrow.
//
// Control characters other than '\n' are refused rather than sent: in
// text that came from a citizen's form, an ESC or GS would be a printer
// command. So are private-use characters, which versions of GB18030 map
// differently.
//
// # QR codes
//
// QR codes are sent with GS ( k when the printer has it. A printer that
// prints a QR block as text like "k1A2k1C" lacks that command; set
// [Profile.NativeQR] to false and the code is sent as a raster image.
//
// # Status
//
// [StatusQuery] asks for the four real-time statuses (DLE EOT 1 to 4),
// which [ParseRealTimeStatus] decodes. [EnableASB] makes the printer send
// a 4-byte status whenever it changes, which an [ASBReader] picks out of
// the byte stream. [Status.Ready] says whether a print may start and, if
// not, what staff should do, in Chinese and English.
//
// # Completion
//
// A write returns once the job is in a buffer: the kernel's, the
// network's or the printer's own, which on USB and TCP holds a whole
// receipt. [Printer.Print] therefore sends, after the job, a request the
// printer answers only once everything before it has printed (see
// [Confirm]) and reports the job printed only on that answer; a stop
// seen meanwhile is an [*InterruptedError], and no answer in time, or a
// printer with no such request, an [*UnconfirmedError].
package printer
