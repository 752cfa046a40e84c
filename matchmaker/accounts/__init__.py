"""Person accounts: sign-up with e-mail verification, Argon2 passwords, reset by e-mail, sessions
that can be ended everywhere, organisations requested by their first member and approved by park
staff, later members approved by the organisation's admin, and the `Actor` each person acts as."""
