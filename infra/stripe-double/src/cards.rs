//! Stripe's test cards: the `pm_card_*` tokens a server may confirm with, and the card numbers
//! the local card form accepts, with the outcome Stripe's test mode gives each.
//!
//! Card numbers only pass through here; they are never stored, logged or echoed (a payment
//! method keeps the brand and last four digits, like Stripe's).

/// What confirming with a card does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Approve,
    Decline(Decline),
}

/// A declined charge as Stripe reports it: error `code`, `decline_code` and message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decline {
    pub code: &'static str,
    pub decline_code: &'static str,
    pub message: &'static str,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct TestCard {
    pub token: &'static str,
    number: &'static str,
    pub brand: &'static str,
    pub funding: &'static str,
    pub outcome: Outcome,
}

impl TestCard {
    pub fn last4(&self) -> &'static str {
        &self.number[self.number.len().saturating_sub(4)..]
    }
}

const GENERIC_DECLINE: Decline = Decline {
    code: "card_declined",
    decline_code: "generic_decline",
    message: "Your card was declined.",
};

const TEST_CARDS: &[TestCard] = &[
    TestCard {
        token: "pm_card_visa",
        number: "4242424242424242",
        brand: "visa",
        funding: "credit",
        outcome: Outcome::Approve,
    },
    TestCard {
        token: "pm_card_visa_debit",
        number: "4000056655665556",
        brand: "visa",
        funding: "debit",
        outcome: Outcome::Approve,
    },
    TestCard {
        token: "pm_card_mastercard",
        number: "5555555555554444",
        brand: "mastercard",
        funding: "credit",
        outcome: Outcome::Approve,
    },
    TestCard {
        token: "pm_card_amex",
        number: "378282246310005",
        brand: "amex",
        funding: "credit",
        outcome: Outcome::Approve,
    },
    TestCard {
        token: "pm_card_chargeDeclined",
        number: "4000000000000002",
        brand: "visa",
        funding: "credit",
        outcome: Outcome::Decline(GENERIC_DECLINE),
    },
    TestCard {
        token: "pm_card_chargeDeclinedInsufficientFunds",
        number: "4000000000009995",
        brand: "visa",
        funding: "credit",
        outcome: Outcome::Decline(Decline {
            code: "card_declined",
            decline_code: "insufficient_funds",
            message: "Your card has insufficient funds.",
        }),
    },
    TestCard {
        token: "pm_card_chargeDeclinedLostCard",
        number: "4000000000009987",
        brand: "visa",
        funding: "credit",
        outcome: Outcome::Decline(Decline {
            code: "card_declined",
            decline_code: "lost_card",
            message: "Your card was declined.",
        }),
    },
    TestCard {
        token: "pm_card_chargeDeclinedExpiredCard",
        number: "4000000000000069",
        brand: "visa",
        funding: "credit",
        outcome: Outcome::Decline(Decline {
            code: "expired_card",
            decline_code: "expired_card",
            message: "Your card has expired.",
        }),
    },
    TestCard {
        token: "pm_card_chargeDeclinedIncorrectCvc",
        number: "4000000000000127",
        brand: "visa",
        funding: "credit",
        outcome: Outcome::Decline(Decline {
            code: "incorrect_cvc",
            decline_code: "incorrect_cvc",
            message: "Your card's security code is incorrect.",
        }),
    },
    TestCard {
        token: "pm_card_chargeDeclinedProcessingError",
        number: "4000000000000119",
        brand: "visa",
        funding: "credit",
        outcome: Outcome::Decline(Decline {
            code: "processing_error",
            decline_code: "processing_error",
            message: "An error occurred while processing your card. Try again in a little bit.",
        }),
    },
];

/// The card behind a `pm_card_*` test token.
pub(crate) fn by_token(token: &str) -> Option<&'static TestCard> {
    TEST_CARDS.iter().find(|card| card.token == token)
}

/// The test card with this number (digits only).
pub(crate) fn by_number(digits: &str) -> Option<&'static TestCard> {
    TEST_CARDS.iter().find(|card| card.number == digits)
}

/// The digits of a card number typed with spaces or dashes, if that is all it contains.
pub(crate) fn normalize_number(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

/// The Luhn checksum every real card number satisfies.
pub(crate) fn luhn_valid(digits: &str) -> bool {
    if !(12..=19).contains(&digits.len()) {
        return false;
    }
    let mut sum = 0;
    for (i, c) in digits.chars().rev().enumerate() {
        let Some(mut d) = c.to_digit(10) else {
            return false;
        };
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_test_card_number_passes_luhn_and_tokens_are_unique() {
        for card in TEST_CARDS {
            assert!(luhn_valid(card.number), "{}", card.token);
            assert_eq!(by_token(card.token).map(|c| c.number), Some(card.number));
        }
        assert!(!luhn_valid("4242424242424241"));
    }

    #[test]
    fn typed_numbers_are_normalized() {
        assert_eq!(
            normalize_number("4242 4242-4242 4242").as_deref(),
            Some("4242424242424242")
        );
        assert_eq!(normalize_number("4242x"), None);
        assert_eq!(
            by_number("4000000000009995").map(|c| c.last4()),
            Some("9995")
        );
    }
}
