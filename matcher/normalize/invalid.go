package normalize

// Invalid says why a value could not be normalised; it never quotes the value.
//
// Reason is a short, stable, lower-case phrase meant to be counted in
// reports, so callers may group by it.
type Invalid struct {
	Field  string
	Reason string
}

func (e Invalid) Error() string { return e.Field + ": " + e.Reason }

// As lets callers use either errors.As(err, &inv) with an Invalid or with a
// *Invalid target. The normalisers return Invalid values held in
// preallocated error variables (so a rejection does not allocate), and
// without this a *Invalid target would silently never match.
func (e Invalid) As(target any) bool {
	if p, ok := target.(**Invalid); ok {
		c := e
		*p = &c
		return true
	}
	return false
}

// bad makes the preallocated errors below. Boxing an Invalid into an error
// allocates, so doing it once here keeps rejections allocation-free.
// knownErrors lets the tests check that every error a normaliser returns is
// one of these fixed messages, which is what keeps values out of errors.
func bad(field, reason string) error {
	err := error(Invalid{Field: field, Reason: reason})
	knownErrors = append(knownErrors, err)
	return err
}

var knownErrors []error

var (
	errMyKadEmpty  = bad("mykad", "empty")
	errMyKadChar   = bad("mykad", "invalid character")
	errMyKadLen    = bad("mykad", "not 12 digits")
	errMyKadDate   = bad("mykad", "invalid date")
	errMyKadFuture = bad("mykad", "birth date in the future")
	errMyKadPlace  = bad("mykad", "invalid place-of-birth code")

	errNIKEmpty    = bad("nik", "empty")
	errNIKChar     = bad("nik", "invalid character")
	errNIKLen      = bad("nik", "not 16 digits")
	errNIKProvince = bad("nik", "invalid province code")
	errNIKDate     = bad("nik", "invalid date")
	errNIKFuture   = bad("nik", "birth date in the future")
	errNIKSerial   = bad("nik", "invalid serial")

	errPhoneEmpty   = bad("phone", "empty")
	errPhoneChar    = bad("phone", "invalid character")
	errPhoneFew     = bad("phone", "too few digits")
	errPhoneMany    = bad("phone", "too many digits")
	errPhoneInvalid = bad("phone", "invalid number")

	errEmailEmpty  = bad("email", "empty")
	errEmailNotOne = bad("email", "not an email")
	errEmailAts    = bad("email", "more than one @")
	errEmailLocal  = bad("email", "empty local part")
	errEmailDomain = bad("email", "invalid domain")
	errEmailSpace  = bad("email", "contains space")

	errNameEmpty   = bad("name", "empty")
	errNameLetters = bad("name", "no letters")
	errNameOnly    = bad("name", "only titles or connectors")
	errNameLong    = bad("name", "too long")

	errDateEmpty  = bad("date", "empty")
	errDateFormat = bad("date", "unknown format")
	errDateMonth  = bad("date", "unknown month")
	errDateBad    = bad("date", "invalid date")
	errDateYear   = bad("date", "year out of range")
	errDateFuture = bad("date", "in the future")

	errGenderEmpty     = bad("gender", "empty")
	errGenderAmbiguous = bad("gender", "ambiguous code")
	errGenderUnknown   = bad("gender", "unknown gender")

	errAddressEmpty = bad("address", "empty")
	errAddressLong  = bad("address", "too long")

	errPostcodeEmpty = bad("postcode", "empty")
	errPostcodeBad   = bad("postcode", "not 5 digits")
	errPostcodeZero  = bad("postcode", "all zeros")

	errStateEmpty   = bad("state", "empty")
	errStateUnknown = bad("state", "unknown state")
)
