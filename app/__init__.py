"""CareInbox: the back end of a secure case inbox between citizens and their clinics."""
