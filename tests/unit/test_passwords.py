"""Password rules (NIST SP 800-63B) and hashing."""

from __future__ import annotations

import bcrypt
import pytest

from portal_app import config
from portal_app.errors import Invalid
from portal_app.services import passwords
from tests.unit.expect import refuses_all


def test_password_of_twelve_characters_is_accepted():
    assert passwords.check_new_password("plum orchard") == "plum orchard"


def test_password_shorter_than_twelve_characters_is_refused():
    with pytest.raises(Invalid, match="at least 12 characters") as refused:
        passwords.check_new_password("plum orchar")
    assert refused.value.field == "password"


def test_password_of_256_characters_is_accepted_and_257_refused():
    assert passwords.check_new_password("a-b" * 85 + "z")  # 256
    with pytest.raises(Invalid, match="at most 256 characters"):
        passwords.check_new_password("a-b" * 85 + "zz")


def test_common_password_of_twelve_characters_is_refused():
    # Both are in zxcvbn's thousand most common passwords and long enough to pass the
    # length rule, so only the common-password rule can refuse them.
    for common in ("1qaz2wsx3edc", "123QWEASDZXC"):
        assert len(common) >= 12
        with pytest.raises(Invalid, match="most common"):
            passwords.check_new_password(common)


def test_short_common_password_gets_the_length_message():
    assert "password" in passwords.common_passwords()
    with pytest.raises(Invalid, match="at least 12 characters"):
        passwords.check_new_password("password")


def test_common_password_list_holds_the_thousand_most_common():
    assert len(passwords.common_passwords()) == 1000


def test_email_address_as_password_is_refused():
    with pytest.raises(Invalid, match="e-mail address"):
        passwords.check_new_password("Ana@Northwind.example", email="ana@northwind.example")


NOT_PASSWORDS = [None, 123456789012, b"bytes password!", ["x" * 12], {"password": "x" * 12}]


def test_non_string_password_is_refused():
    refuses_all(Invalid, passwords.check_new_password, NOT_PASSWORDS)
    with pytest.raises(Invalid, match="Enter a password"):
        passwords.check_new_password(None)


def test_non_string_password_never_verifies(shared_password_hash):
    for not_a_password in NOT_PASSWORDS[:2]:  # each check costs a bcrypt round
        assert passwords.verify_password(not_a_password, shared_password_hash) is False


def test_stored_hash_is_bcrypt_at_cost_twelve_or_more(shared_password_hash):
    assert shared_password_hash.startswith("$2b$")
    assert int(shared_password_hash.split("$")[2]) >= 12


def test_cost_below_twelve_cannot_be_configured(monkeypatch):
    monkeypatch.setenv("PORTAL_BCRYPT_ROUNDS", "4")
    assert config.reload_settings().bcrypt_rounds == 12


def test_correct_password_verifies_and_wrong_one_does_not(world, shared_password_hash):
    password = world.password
    assert passwords.verify_password(password, shared_password_hash)
    assert not passwords.verify_password(password + " ", shared_password_hash)
    assert not passwords.verify_password(password.upper(), shared_password_hash)


def test_passwords_alike_in_first_72_bytes_are_told_apart():
    # bcrypt alone reads only 72 bytes: without the pre-hash both would verify.
    prefix = "n" * 72
    stored = passwords.hash_password(prefix + "-first-ending")
    assert passwords.verify_password(prefix + "-first-ending", stored)
    assert not passwords.verify_password(prefix + "-other-ending", stored)
    assert not passwords.verify_password(prefix, stored)


def test_unicode_password_works():
    password = "Pässwörd ñandú 密码 🔐 grüße"
    passwords.check_new_password(password)
    stored = passwords.hash_password(password)
    assert passwords.verify_password(password, stored)
    # The same letters composed differently are a different password.
    assert not passwords.verify_password(password.replace("ä", "a\u0308"), stored)


def test_password_longer_than_the_limit_never_verifies(shared_password_hash):
    assert not passwords.verify_password("x" * 10_000, shared_password_hash)


def test_no_stored_hash_never_verifies():
    assert not passwords.verify_password("anything at all", None)
    assert not passwords.verify_password("anything at all", "")


def test_malformed_stored_hash_never_verifies():
    assert not passwords.verify_password("anything at all", "not-a-bcrypt-hash")


def test_unknown_account_costs_a_real_bcrypt_check():
    # The stand-in hash must be a valid cost-12 hash, or an unknown address would answer
    # faster than a wrong password (and give itself away).
    dummy = passwords._DUMMY_HASH.encode()
    assert dummy.startswith(b"$2b$12$")
    bcrypt.checkpw(b"any password", dummy)  # raises ValueError on a malformed hash
    assert not passwords.verify_password("x", None)
