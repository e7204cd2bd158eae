/**
 * Finding kinds the short CI rounds report as TODO rather than failures:
 * defects the fuzzing found on main that other branches of issue 17 fix.
 * Each entry names where it is fixed; remove it once that branch is merged
 * (the round then fails if the defect is still there).
 */
export const KNOWN_FINDINGS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  upstream: {
    'reply does not parse': 'malformed upstream answers are relayed (issue 17, branch upstream-validation)',
    'listed data relayed beside the answer chain': 'records off the CNAME chain are relayed unchecked (issue 17, branch upstream-validation)',
  },
  zone: {
    'threw Error': '$INCLUDE of a directory rejects with EISDIR instead of a ZoneSyntaxError (issue 17, branch zone-text-hardening)',
    'error message longer than 1000 characters': 'a long token is quoted whole in the error (issue 17, branch zone-text-hardening)',
  },
  transfer: {
    'unbroken transfer refused': 'owners with octets a master file must escape are written raw to the copy (issue 17, branch zone-text-hardening)',
    'transferred trigger not in force': 'the same: the copy is read back wrong (issue 17, branch zone-text-hardening)',
  },
};
