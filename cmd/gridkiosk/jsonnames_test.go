package main

import (
	"encoding"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	vocab "github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/serialport"
	"github.com/gridkiosk/gridkiosk/images/drives"
	"github.com/gridkiosk/gridkiosk/images/manifest"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// emitted is every type whose JSON leaves a program of the project: the
// probes' --json, the admin API's answers, the wire to the hub and its
// replies, the signed codes, and gridflash's manifest and drive list.
var emitted = []any{
	probeResult{}, []serialport.Candidate{}, probedFunction{},
	vocab.Health{}, vocab.ScanResult{}, vocab.SessionView{}, vocab.Ack{},
	vocab.PrintResult{}, vocab.StaffSession{}, vocab.PanelState{}, vocab.CheckIn{},
	vocab.Place{}, vocab.Row{}, vocab.PrintJob{}, vocab.UpdateView{}, vocab.UpdateRefused{},
	wire.Batch{}, wire.Reply{}, wire.Status{},
	record.Receipt{}, record.Volunteer{},
	signedcode.Appointment{}, signedcode.Staff{},
	manifest.Manifest{}, []drives.Drive{},
}

// snake is the one naming of JSON keys.
var snake = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// TestJSONNamesAreSnakeCase: every key of every JSON the project emits is
// snake_case and named on purpose, none a Go field name by default.
func TestJSONNamesAreSnakeCase(t *testing.T) {
	seen := map[reflect.Type]bool{}
	for _, v := range emitted {
		for _, p := range jsonNameProblems(reflect.TypeOf(v), seen) {
			t.Error(p)
		}
	}
}

var (
	marshaler     = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// jsonNameProblems walks t's fields, and the types inside them, as
// encoding/json would, and says which keys are not snake_case.
func jsonNameProblems(t reflect.Type, seen map[reflect.Type]bool) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if seen[t] || t.Kind() != reflect.Struct || t.Implements(marshaler) || reflect.PointerTo(t).Implements(marshaler) ||
		t.Implements(textMarshaler) || reflect.PointerTo(t).Implements(textMarshaler) {
		return nil
	}
	seen[t] = true
	var out []string
	for f := range fields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
			continue
		case f.Anonymous && name == "":
			// An embedded struct's fields are its parent's keys.
		case name == "":
			out = append(out, t.String()+"."+f.Name+": no json name (it would be the Go name "+f.Name+")")
		case !snake.MatchString(name):
			out = append(out, t.String()+"."+f.Name+": json name "+name+" is not snake_case")
		}
		out = append(out, jsonNameProblems(f.Type, seen)...)
	}
	return out
}

// fields are t's exported fields, the ones encoding/json writes.
func fields(t reflect.Type) func(func(reflect.StructField) bool) {
	return func(yield func(reflect.StructField) bool) {
		for i := range t.NumField() {
			if f := t.Field(i); (f.IsExported() || f.Anonymous) && !yield(f) {
				return
			}
		}
	}
}
