"""Accounts: registration, login, token refresh and API keys."""

from __future__ import annotations

import uuid

from moneygrow.auth import api_keys
from moneygrow.auth.passwords import hash_password, password_problems, verify_password
from moneygrow.auth.tokens import TokenIssuer, TokenPair
from moneygrow.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from moneygrow.models import utcnow
from moneygrow.store.base import EmailTaken, Page, Store
from moneygrow.store.records import ApiKey, User


def normalise_email(email: str) -> str:
    return email.strip().lower()


def register(store: Store, email: str, password: str) -> User:
    email = normalise_email(email)
    problems = password_problems(password, email)
    if problems:
        raise ValidationFailed("password is too weak", {"password": problems})
    user = User(
        user_id=uuid.uuid4().hex, email=email, password_hash=hash_password(password), created_at=utcnow()
    )
    try:
        store.create_user(user)
    except EmailTaken as exc:
        raise Conflict("an account with this email already exists") from exc
    return user


def login(store: Store, issuer: TokenIssuer, email: str, password: str) -> TokenPair:
    user = store.get_user_by_email(normalise_email(email))
    # Always verify (against a dummy hash when there is no user) so timing tells nothing.
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise Unauthorized("invalid email or password")
    return issuer.issue(user.user_id)


def refresh(store: Store, issuer: TokenIssuer, refresh_token: str) -> TokenPair:
    user_id = issuer.verify(refresh_token, "refresh")
    if store.get_user(user_id) is None:
        raise Unauthorized("token is not valid")
    return issuer.issue(user_id)


def user_from_access_token(store: Store, issuer: TokenIssuer, token: str) -> User:
    user = store.get_user(issuer.verify(token, "access"))
    if user is None:
        raise Unauthorized("token is not valid")
    return user


def user_from_api_key(store: Store, plaintext: str) -> User:
    key = (
        store.get_api_key_by_hash(api_keys.hash_key(plaintext))
        if api_keys.looks_like_key(plaintext)
        else None
    )
    user = store.get_user(key.user_id) if key else None
    if key is None or user is None:
        raise Unauthorized("API key is not valid")
    now = utcnow()
    # Record use at most once a minute: a write per request would double the cost of every call.
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        store.touch_api_key(key.user_id, key.key_id, now)
    return user


def create_api_key(store: Store, user_id: str, name: str) -> tuple[ApiKey, str]:
    new = api_keys.generate_key()
    key = ApiKey(
        key_id=new.key_id,
        user_id=user_id,
        name=name,
        prefix=new.prefix,
        key_hash=new.key_hash,
        created_at=utcnow(),
    )
    store.put_api_key(key)
    return key, new.plaintext


def list_api_keys(store: Store, user_id: str, limit: int, cursor: str | None) -> Page[ApiKey]:
    return store.list_api_keys(user_id, limit, cursor)


def revoke_api_key(store: Store, user_id: str, key_id: str) -> None:
    if not store.delete_api_key(user_id, key_id):
        raise NotFound("API key not found")
