package intake

import (
	"strings"

	"github.com/semak/semak/matcher/record"
)

// headerFields maps a folded column name (see foldHeader) to the field it
// names, in English, Malay and Indonesian, as DPO exports and leak dumps
// spell them. Attribute names that have a translation (majikan → employer)
// map to the English attribute, so a Malay export loads into a source whose
// schema says employer.
var headerFields = map[string]record.Field{}

func init() {
	add := func(f record.Field, names ...string) {
		for _, n := range names {
			headerFields[n] = f
		}
	}
	add(record.IC, "ic", "ic_no", "ic_number", "no_ic", "noic", "icno", "nric", "nric_no", "mykad", "no_mykad",
		"mykad_no", "no_kp", "nokp", "no_kad_pengenalan", "kad_pengenalan", "kp", "no_kp_baru", "kp_baru",
		"new_ic", "new_ic_no", "identity_card", "identity_card_no", "id_card", "national_id", "ic_passport",
		"no_pengenalan", "nombor_kad_pengenalan")
	add(record.NIK, "nik", "no_nik", "nomor_nik", "nomor_induk_kependudukan", "nik_ktp", "no_ktp", "ktp")
	add(record.Name, "name", "nama", "full_name", "fullname", "nama_penuh", "nama_lengkap", "customer_name",
		"nama_pelanggan", "member_name", "nama_ahli", "nama_peserta", "participant_name", "patient_name",
		"nama_pesakit", "name_as_per_ic", "nama_seperti_dalam_kp", "nama_pekerja", "employee_name", "person_name")
	add(record.Phone, "phone", "phone_no", "phone_number", "no_tel", "notel", "no_telefon", "telefon",
		"no_telefon_bimbit", "telefon_bimbit", "tel", "telephone", "mobile", "mobile_no", "mobile_number",
		"mobile_phone", "handphone", "hp", "no_hp", "nohp", "no_handphone", "nomor_hp", "nomor_telepon",
		"telepon", "no_telepon", "msisdn", "contact", "contact_no", "contact_number", "no_tel_bimbit", "cell", "cellphone")
	add(record.Email, "email", "e_mail", "email_address", "emel", "alamat_emel", "e_mel", "mail", "surel",
		"alamat_email", "email_addr")
	add(record.DOB, "dob", "date_of_birth", "birth_date", "birthdate", "birthday", "tarikh_lahir", "tkh_lahir",
		"tanggal_lahir", "tgl_lahir", "tgllahir", "dateofbirth")
	add(record.Gender, "gender", "sex", "jantina", "jenis_kelamin", "kelamin", "jk")
	add(record.Address, "address", "alamat", "alamat_rumah", "home_address", "address1", "address_1",
		"address_line1", "address_line_1", "alamat_1", "alamat1", "street", "street_address", "residential_address",
		"alamat_tetap", "alamat_surat_menyurat", "mailing_address", "alamat_lengkap")
	add(record.Postcode, "postcode", "poskod", "post_code", "postal_code", "postalcode", "zip", "zipcode",
		"zip_code", "kode_pos", "kodepos")
	add(record.State, "state", "negeri", "provinsi", "province", "propinsi", "state_name", "nama_negeri")

	// Attributes with a translation: kept under the English name.
	add("employer", "employer", "majikan", "nama_majikan", "employer_name", "perusahaan", "nama_perusahaan", "company", "syarikat")
	add("salary", "salary", "gaji", "gaji_bulanan", "monthly_salary", "wage", "upah", "pendapatan", "penghasilan", "income")
	add("occupation", "occupation", "pekerjaan", "jawatan", "job", "job_title", "position")
	add("member_no", "member_no", "member_number", "membership_no", "no_ahli", "no_keahlian", "no_anggota", "nomor_anggota", "no_peserta", "member_id")
	add("registered", "registered", "registration_date", "date_registered", "tarikh_daftar", "tarikh_pendaftaran", "tanggal_daftar", "tanggal_registrasi", "created_at", "join_date")
	add("city", "city", "bandar", "kota", "kabupaten", "kab_kota", "town", "daerah", "district")
	add("religion", "religion", "agama")
	add("race", "race", "bangsa", "kaum", "ethnicity", "suku")
	add("nationality", "nationality", "warganegara", "kewarganegaraan", "citizenship")
	add("username", "username", "user_name", "login", "user", "nama_pengguna")
	add("password", "password", "pass", "passwd", "pwd", "kata_laluan", "kata_sandi", "password_hash")
}

// foldHeader folds a column name for lookup: lower case, every run of
// characters other than letters and digits becomes one underscore, and a
// leading table or object prefix ("users.", "address.") is dropped when the
// rest is a known name.
func foldHeader(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	under := false
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f && isLetter(r):
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
		default:
			under = true
		}
	}
	return b.String()
}

// headerField looks a column name up. For a dotted or prefixed name
// (address.postcode, customer_email) the last parts are tried too.
func headerField(name string) (record.Field, bool) {
	k := foldHeader(name)
	if f, ok := headerFields[k]; ok {
		return f, true
	}
	// customer_email, address_postcode: the name at the end says most.
	parts := strings.Split(k, "_")
	for i := 1; i < len(parts); i++ {
		if f, ok := headerFields[strings.Join(parts[i:], "_")]; ok {
			return f, true
		}
	}
	// nama_penuh_pelanggan: then the name at the start.
	for i := len(parts) - 1; i > 0; i-- {
		if f, ok := headerFields[strings.Join(parts[:i], "_")]; ok {
			return f, true
		}
	}
	return "", false
}

// attributeName is the name a column that is not canonical is kept under:
// its translation when known, else its folded name.
func attributeName(name string) string {
	if f, ok := headerField(name); ok && !record.IsCanonical(f) {
		return string(f)
	}
	if k := foldHeader(name); k != "" {
		return k
	}
	return "column"
}
