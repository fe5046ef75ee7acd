"""Properties of the secret format: generate -> check -> digest, and no one-character change slips through."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from apikeys import secrets

# Secrets built exactly as generate() builds them, from random characters hypothesis draws (so that a
# failure can be replayed); test_it_generates_... checks generate() itself.
bodies = st.text(alphabet=secrets.BASE62, min_size=secrets.RANDOM_LENGTH, max_size=secrets.RANDOM_LENGTH)
well_formed = bodies.map(lambda random: secrets.PREFIX + random).map(
    lambda body: body + secrets.checksum(body)
)
positions = st.integers(min_value=0, max_value=secrets.SECRET_LENGTH - 1)


def change(secret: str, position: int, replacement: str) -> str:
    return secret[:position] + replacement + secret[position + 1 :]


def test_it_generates_well_formed_secrets_with_distinct_digests():
    generated = [secrets.generate() for _ in range(200)]
    assert all(secrets.is_well_formed(secret) for secret in generated)
    digests = {secrets.digest(secret) for secret in generated}
    assert len(digests) == len(generated)


@given(well_formed)
def test_it_checks_and_digests_what_it_generates(secret):
    assert len(secret) == secrets.SECRET_LENGTH
    assert secrets.is_well_formed(secret)
    digest = secrets.digest(secret)
    assert len(digest) == 64 and secret not in digest
    assert digest in secrets.candidate_digests(secret)


@settings(max_examples=500)
@given(well_formed, positions, st.characters())
def test_it_rejects_any_one_character_change(secret, position, replacement):
    changed = change(secret, position, replacement)
    assert secrets.is_well_formed(changed) == (changed == secret)


@settings(max_examples=500)
@given(well_formed, positions, st.sampled_from(secrets.BASE62))
def test_it_rejects_a_one_character_typo_that_keeps_the_shape(secret, position, replacement):
    # The hard case: the changed key is still pk_ + 34 base62 characters, so only the checksum can tell.
    position = max(position, len(secrets.PREFIX))
    changed = change(secret, position, replacement)
    assert secrets.is_well_formed(changed) == (changed == secret)
    if changed != secret:
        assert secrets.digest(changed) != secrets.digest(secret)


@settings(max_examples=500)
@given(
    st.one_of(
        st.text(),
        st.text(alphabet=secrets.BASE62, min_size=34, max_size=34).map(lambda body: "pk_" + body),
        st.binary(),
        st.binary(min_size=37, max_size=37),
        st.none(),
        st.integers(),
        st.lists(st.text()),
    )
)
def test_it_never_raises_on_arbitrary_input(value):
    assert secrets.is_well_formed(value) in (True, False)
    if isinstance(value, bytes):
        assert not secrets.is_well_formed(value)
