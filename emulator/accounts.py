"""Accounts: each owns a fleet and one or more key pairs (AK/SK, optional STS token)."""

from __future__ import annotations

from dataclasses import dataclass, field
import random
import string
from typing import TYPE_CHECKING

from .auth import KeyPair

if TYPE_CHECKING:
    from .fleet import Fleet

# Fixed so that the demo (and anything that prints the credentials) is reproducible.
DEFAULT_ACCESS_KEY = "AKLTZW11bGF0b3JEZWZhdWx0S2V5MDAx"
DEFAULT_SECRET_KEY = "ZW11bGF0b3Itc2VjcmV0LWtleS1mb3ItZGVtbw=="  # noqa: S105

_AK_ALPHABET = string.ascii_letters + string.digits
_SK_ALPHABET = string.ascii_letters + string.digits + "+/"


@dataclass
class Account:
    """A tenant: the fleet its keys can see."""

    name: str
    fleet: Fleet
    keys: list[str] = field(default_factory=list)


class AccountStore:
    """Key pairs and accounts; `lookup` is what the signature verifier calls."""

    def __init__(self, seed: int = 1) -> None:
        """Start empty; generated keys come from a RNG seeded with `seed`."""
        self.accounts: dict[str, Account] = {}
        self._keys: dict[str, KeyPair] = {}
        self._revoked: set[str] = set()
        self._rng = random.Random(f"keys:{seed}")

    def add_account(self, name: str, fleet: Fleet) -> Account:
        """Register an account (its keys are added separately)."""
        if name in self.accounts:
            raise ValueError(f"account {name!r} already exists")
        account = Account(name, fleet)
        self.accounts[name] = account
        return account

    def add_key(
        self,
        account: str = "default",
        *,
        access_key: str | None = None,
        secret_key: str | None = None,
        session_token: str | None = None,
    ) -> KeyPair:
        """Add a key pair to `account` (generated unless given) and return it."""
        if account not in self.accounts:
            raise KeyError(f"no account {account!r}")
        if access_key is None:
            access_key = "AKLT" + "".join(self._rng.choices(_AK_ALPHABET, k=28))
        if secret_key is None:
            secret_key = "".join(self._rng.choices(_SK_ALPHABET, k=38)) + "=="
        pair = KeyPair(access_key, secret_key, account, session_token)
        self._keys[access_key] = pair
        self._revoked.discard(access_key)
        self.accounts[account].keys.append(access_key)
        return pair

    def revoke(self, access_key: str) -> None:
        """Make `access_key` fail with InvalidAccessKey from now on."""
        if access_key not in self._keys:
            raise KeyError(f"unknown access key {access_key!r}")
        self._revoked.add(access_key)

    def lookup(self, access_key: str) -> KeyPair | None:
        """Return the live key pair for `access_key`, or None (unknown or revoked)."""
        if access_key in self._revoked:
            return None
        return self._keys.get(access_key)

    def fleet_for(self, key: KeyPair) -> Fleet:
        """Return the fleet the key's account owns."""
        return self.accounts[key.account].fleet
