"""A conditional write's refused condition is an answer (False); every other failure stays a fault.

The store's conditional writes (a nonce seen once, a job created once, a row
claimed once, ...) all go through ``errors.write_unless_refused``; these tests
pin what it tells apart, on the embedded DynamoDB as production would see it.
"""

from __future__ import annotations

import pytest


def test_given_conditions_that_hold_or_not_when_written_then_only_a_refusal_answers_false(aws):
    from chalicelib.store.errors import write_unless_refused
    from chalicelib.store.nonces import Nonce

    # Given no item yet
    item = Nonce("scope:n1", expires_at=1)
    # When it is created only where absent, twice: then the first write is made, the second refused
    assert write_unless_refused(item.save, condition=Nonce.nonce_key.does_not_exist()) is True
    assert write_unless_refused(Nonce("scope:n1", expires_at=2).save,
                                condition=Nonce.nonce_key.does_not_exist()) is False
    assert Nonce.get("scope:n1").expires_at == 1
    # When an absent item is updated or deleted only where it exists: then both are refused, nothing written
    absent = Nonce("scope:absent")
    assert write_unless_refused(absent.update, actions=[Nonce.expires_at.set(5)],
                                condition=Nonce.nonce_key.exists()) is False
    assert write_unless_refused(absent.delete, condition=Nonce.nonce_key.exists()) is False
    assert Nonce.count("scope:absent") == 0
    # When the present item is updated, then deleted, under conditions that hold: then both are made
    assert write_unless_refused(item.update, actions=[Nonce.expires_at.set(3)],
                                condition=Nonce.nonce_key.exists()) is True
    assert Nonce.get("scope:n1").expires_at == 3
    assert write_unless_refused(item.delete, condition=Nonce.expires_at == 3) is True
    assert Nonce.count("scope:n1") == 0


def test_given_another_failure_of_the_write_when_written_then_it_propagates_unchanged(aws):
    from pynamodb.exceptions import PutError

    from chalicelib.store.errors import write_unless_refused
    from chalicelib.store.nonces import Nonce
    from tests.support.delivery import Fault

    # Given DynamoDB throttles every PutItem
    with Fault("dynamodb", "PutItem", code="ProvisionedThroughputExceededException"):
        # When a conditional put is made: then PynamoDB's own error reaches the caller, its cause intact
        with pytest.raises(PutError) as raised:
            write_unless_refused(Nonce("scope:n2", expires_at=1).save, condition=Nonce.nonce_key.does_not_exist())
    assert raised.value.cause_response_code == "ProvisionedThroughputExceededException"
    # Given a value DynamoDB refuses (a number that is not one): then its ValidationException reaches the caller
    with pytest.raises(PutError) as raised:
        write_unless_refused(Nonce("scope:n3", expires_at="soon").save, condition=Nonce.nonce_key.does_not_exist())
    assert raised.value.cause_response_code == "ValidationException"
    # and neither write was made
    assert Nonce.count("scope:n2") == 0 and Nonce.count("scope:n3") == 0
