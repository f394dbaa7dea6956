package normalize

// Postcode returns a five-digit postcode (Malaysia and Indonesia both use
// five digits). A four-digit value is rejected rather than zero-padded:
// it may be a Malaysian postcode whose leading 0 a spreadsheet dropped, but
// it may as well be a foreign one.
func (n *Normalizer) Postcode(s string) (string, error) {
	s = clean(s)
	if s == "" {
		return "", errPostcodeEmpty
	}
	if len(s) != 5 || !allDigits(s) {
		return "", errPostcodeBad
	}
	if s == "00000" {
		return "", errPostcodeZero
	}
	return s, nil
}
