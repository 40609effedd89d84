"""Trust primitives for published carbon labels: signatures a third party can check offline
(W3C Data Integrity, eddsa-jcs-2022) and label IDs a person can read aloud or retype from a
printed label without silently landing on someone else's label.

Kept free of Flask and the database so the same code runs in the service, in the CLI and in
any verifier we hand to customs brokers or auditors.
"""
