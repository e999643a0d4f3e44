"""Alert delivery: signed webhooks, SNS message verification and the SNS → webhook relay (issue 13).

Pure logic, no storage and no FastAPI: `webhooks` signs, checks and POSTs a webhook; `sns_messages`
verifies SNS's message signatures; `relay` turns one SNS HTTPS delivery into one signed webhook POST.
"""
