"""Finance (村级财务): village ledgers, the four-party voucher review, disclosure and objections."""
