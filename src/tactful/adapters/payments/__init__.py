"""Payment gateways behind tactful.domain.checkout.PaymentGateway."""

from tactful.adapters.payments.test_mode import TEST_CARDS, TestModeGateway

__all__ = ["TEST_CARDS", "TestModeGateway"]
