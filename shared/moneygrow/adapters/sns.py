"""SNS adapter for alerts: one topic; each user destination is a subscription with a filter policy."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import boto3

from moneygrow.watch.changes import Alert

# SNS protocol per channel: webhooks reach SNS as an HTTPS subscription of the API's relay.
_PROTOCOLS = {"email": "email", "sms": "sms"}
# SNS's retries of an HTTP(S) delivery (the webhook relay answers 5xx when the webhook fails): about
# an hour of exponential backoff, then the subscription's redrive policy (the DLQ).
HTTP_DELIVERY_POLICY: dict[str, Any] = {
    "healthyRetryPolicy": {
        "numRetries": 12,
        "numNoDelayRetries": 0,
        "minDelayTarget": 5,
        "maxDelayTarget": 600,
        "numMinDelayRetries": 2,
        "numMaxDelayRetries": 4,
        "backoffFunction": "exponential",
    }
}


def _attribute(value: Any) -> dict[str, str]:
    if isinstance(value, list):
        return {"DataType": "String.Array", "StringValue": json.dumps(value)}
    if isinstance(value, int | float):
        return {"DataType": "Number", "StringValue": str(value)}
    return {"DataType": "String", "StringValue": str(value)}


class SnsAlertChannels:
    def __init__(self, topic_arn: str, client: Any = None, *, dead_letter_arn: str = "") -> None:
        self.topic_arn = topic_arn
        self._client = client or boto3.client("sns")
        self._dead_letter_arn = dead_letter_arn

    def subscribe(self, channel: str, endpoint: str, filter_policy: dict[str, Any]) -> str:
        protocol = _PROTOCOLS.get(channel) or ("https" if endpoint.startswith("https:") else "http")
        attributes = {"FilterPolicy": json.dumps(filter_policy), "FilterPolicyScope": "MessageAttributes"}
        if self._dead_letter_arn:  # after SNS's retries, undeliverable alerts go there (alarmed)
            attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": self._dead_letter_arn})
        if protocol in ("http", "https"):
            attributes["DeliveryPolicy"] = json.dumps(HTTP_DELIVERY_POLICY)
        answer = self._client.subscribe(
            TopicArn=self.topic_arn,
            Protocol=protocol,
            Endpoint=endpoint,
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )
        return str(answer["SubscriptionArn"])

    def set_filter_policy(self, subscription_arn: str, filter_policy: dict[str, Any]) -> None:
        self._client.set_subscription_attributes(
            SubscriptionArn=subscription_arn,
            AttributeName="FilterPolicy",
            AttributeValue=json.dumps(filter_policy),
        )

    def is_confirmed(self, subscription_arn: str) -> bool:
        attrs = self._client.get_subscription_attributes(SubscriptionArn=subscription_arn)["Attributes"]
        return str(attrs.get("PendingConfirmation", "false")).lower() != "true"

    def unsubscribe(self, subscription_arn: str) -> None:
        # gone already (e.g. the user unsubscribed through SNS's own link): nothing to do
        with contextlib.suppress(self._client.exceptions.NotFoundException):
            self._client.unsubscribe(SubscriptionArn=subscription_arn)

    def publish(self, alert: Alert) -> str:
        answer = self._client.publish(
            TopicArn=self.topic_arn,
            Subject=alert.subject(),
            Message=alert.sns_message(),
            MessageStructure="json",
            MessageAttributes={k: _attribute(v) for k, v in alert.attributes().items()},
        )
        return str(answer["MessageId"])

    def ping(self) -> None:
        self._client.get_topic_attributes(TopicArn=self.topic_arn)
