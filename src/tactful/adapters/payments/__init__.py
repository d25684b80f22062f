"""Payment gateways behind tactful.domain.checkout.PaymentGateway."""

from tactful.adapters.payments.memory import MemoryGateway
from tactful.adapters.payments.test_cards import TEST_CARDS
from tactful.adapters.payments.test_mode import TestModeGateway

__all__ = ["TEST_CARDS", "MemoryGateway", "TestModeGateway"]
