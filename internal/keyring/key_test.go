package keyring

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
)

// leaks reports whether out contains key in any common encoding.
func leaks(out string, key []byte) bool {
	if strings.Contains(out, string(key)) ||
		strings.Contains(strings.ToLower(out), hex.EncodeToString(key)) {
		return true
	}
	// fmt prints a byte array as [12 34 ...] and %#v as [32]uint8{0xc, ...}.
	if strings.Contains(out, strings.Trim(fmt.Sprint(key), "[]")) {
		return true
	}
	var hexList []string
	for _, b := range key[:8] {
		hexList = append(hexList, fmt.Sprintf("0x%x", b))
	}
	return strings.Contains(out, strings.Join(hexList, ", "))
}

func TestKeyRedacted(t *testing.T) {
	r := mustOpen(t, newDir(t), []byte("pw"))
	k, err := r.Create("perkeso/contributors")
	if err != nil {
		t.Fatal(err)
	}
	raw := keyBytes(k)

	// Sanity: the detector finds the key when it is there.
	for _, out := range []string{string(raw), hex.EncodeToString(raw), fmt.Sprint(raw), fmt.Sprintf("%#v", *k.m.bytes())} {
		if !leaks(out, raw) {
			t.Fatalf("leak detector misses %q", out)
		}
	}

	type holder struct {
		Exported Key
		hidden   Key
		ptr      *Key
		mat      *material
	}
	h := holder{Exported: k, hidden: k, ptr: &k, mat: k.m}

	outputs := map[string]string{}
	for _, verb := range []string{"%v", "%s", "%+v", "%#v", "%x", "%X", "%q", "%d"} {
		outputs["fmt "+verb] = fmt.Sprintf(verb, k)
		outputs["fmt ptr "+verb] = fmt.Sprintf(verb, &k)
		outputs["fmt struct "+verb] = fmt.Sprintf(verb, h)
		outputs["fmt slice "+verb] = fmt.Sprintf(verb, []Key{k})
		outputs["fmt map "+verb] = fmt.Sprintf(verb, map[string]Key{"k": k})
	}
	outputs["Sprint"] = fmt.Sprint(k)
	outputs["Sprintln"] = fmt.Sprintln(k, &k)
	outputs["String"] = k.String()
	outputs["GoString"] = k.GoString()
	outputs["error wrap"] = fmt.Errorf("oops %v: %w", k, errors.New("x")).Error()

	for _, name := range []string{"json", "text"} {
		var buf bytes.Buffer
		var hd slog.Handler
		if name == "json" {
			hd = slog.NewJSONHandler(&buf, nil)
		} else {
			hd = slog.NewTextHandler(&buf, nil)
		}
		log := slog.New(hd)
		log.Info("key", "key", k, "ptr", &k, "any", any(k), "struct", h, "group", slog.GroupValue(slog.Any("k", k)))
		log.With("key", k).WithGroup("g").Info("again", slog.Any("key", k))
		outputs["slog "+name] = buf.String()
	}

	for name, v := range map[string]any{"value": k, "pointer": &k, "struct": h, "slice": []Key{k}, "map": map[string]Key{"k": k}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outputs["json "+name] = string(b)
		b, err = json.MarshalIndent(map[Key]int{k: 1}, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		outputs["json key "+name] = string(b)
	}
	text, _ := k.MarshalText()
	outputs["MarshalText"] = string(text)

	for name, out := range outputs {
		if leaks(out, raw) {
			t.Errorf("%s leaks the key: %q", name, out)
		}
	}
	for _, name := range []string{"fmt %v", "fmt %s", "fmt %+v", "fmt %#v", "String", "GoString", "MarshalText"} {
		if outputs[name] != redacted {
			t.Errorf("%s = %q, want %q", name, outputs[name], redacted)
		}
	}
	if outputs["json value"] != `"[redacted]"` {
		t.Errorf("json.Marshal = %s", outputs["json value"])
	}
	for _, name := range []string{"slog json", "slog text"} {
		if !strings.Contains(outputs[name], redacted) {
			t.Errorf("%s does not say %s: %s", name, redacted, outputs[name])
		}
	}
}

// TestKeyBytesUnreachableByReflection walks a Key the way a reflection-based
// dumper (go-spew, go-cmp) would and checks the bytes are not on the way.
func TestKeyBytesUnreachableByReflection(t *testing.T) {
	r := mustOpen(t, newDir(t), nil)
	k, err := r.Create("a/b")
	if err != nil {
		t.Fatal(err)
	}
	var walk func(v reflect.Value, depth int)
	walk = func(v reflect.Value, depth int) {
		if depth > 10 || !v.IsValid() {
			return
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), depth+1)
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i), depth+1)
			}
		case reflect.Array, reflect.Slice:
			if v.Type().Elem().Kind() == reflect.Uint8 {
				t.Errorf("reflection reaches a byte %s of length %d", v.Kind(), v.Len())
			}
		case reflect.Func:
			// A closure's captured variables are out of reflection's reach.
		default:
		}
	}
	walk(reflect.ValueOf(k), 0)
}

func TestZeroKeyPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("NewHMAC on the zero Key did not panic")
		}
	}()
	Key{}.NewHMAC()
}

func TestErrorsCarryNoKey(t *testing.T) {
	dir := newDir(t)
	r := mustOpen(t, dir, []byte("pw"))
	k, err := r.Create("a/b")
	if err != nil {
		t.Fatal(err)
	}
	_, err1 := r.Create("a/b")
	_, err2 := Open(dir, []byte("wrong"))
	_, err3 := Open(dir, nil)
	for _, err := range []error{err1, err2, err3} {
		if err == nil || leaks(err.Error(), keyBytes(k)) {
			t.Fatalf("error %v", err)
		}
	}
}
