DROP TABLE account_tokens;
DROP TABLE email_verifications;
