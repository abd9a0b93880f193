"""Exact money arithmetic (issue #5 §6): ``Decimal`` to the fen and ``Fraction`` in between, never
float. Pure functions, no database."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

FEN = Decimal("0.01")
EXACT_PLACES = Decimal("0.00000001")


def to_fen(value) -> Decimal:
    """Round half up to the fen (for single computed amounts such as a preset's 20 %)."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def fraction_to_decimal(value: Fraction, places: Decimal = EXACT_PLACES) -> Decimal:
    """A fraction shown as a decimal with ``places`` (the exact value of a share, for display)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(places, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Allocation:
    exact: Fraction  # the share's exact value in yuan
    amount: Decimal  # rounded to the fen by the largest-remainder method

    @property
    def adjustment(self) -> Decimal:
        """amount − exact, shown beside each share so the rounding is visible."""
        return fraction_to_decimal(Fraction(self.amount) - self.exact)

    @property
    def exact_decimal(self) -> Decimal:
        return fraction_to_decimal(self.exact)


def allocate(total: Decimal, weights: list[Decimal]) -> list[Allocation]:
    """Split ``total`` in proportion to ``weights`` so that the amounts add up to the total to the
    fen (largest-remainder / Hamilton method, R23.1).

    Each share is first rounded down to the fen; the fen left over go one each to the shares with
    the largest remainders (ties: the earlier line). So no amount is off its exact value by a fen
    or more, and the sum is exactly the total.
    """
    total = Decimal(total)
    if total < 0:
        raise ValueError("total must not be negative")
    if any(Decimal(w) < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum((Fraction(Decimal(w)) for w in weights), Fraction(0))
    if not weights:
        return []
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    total_fen = Fraction(total) * 100
    if total_fen.denominator != 1:
        raise ValueError("total must be a whole number of fen")
    exact_fen = [total_fen * Fraction(Decimal(w)) / weight_sum for w in weights]
    floors = [int(e) for e in exact_fen]  # exact_fen ≥ 0, so int() rounds down
    left = int(total_fen) - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact_fen[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [
        Allocation(exact=e / 100, amount=(Decimal(f) / 100).quantize(FEN))
        for e, f in zip(exact_fen, floors, strict=True)
    ]


DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ["", "拾", "佰", "仟"]
BIG_UNITS = ["", "万", "亿", "万亿"]


def _group_upper(n: int, first: bool) -> str:
    """One group of four digits (1–9999); a group after a higher one says its leading zero."""
    text, zero, started = "", False, False
    for pos, d in enumerate(f"{n:04d}"):
        if d == "0":
            zero = zero or started or not first
            continue
        if zero and (started or not first):
            text += "零"
        text += DIGITS[int(d)] + SMALL_UNITS[3 - pos]
        started, zero = True, False
    return text


def rmb_upper(amount) -> str:
    """人民币大写, as printed on a receipt: 1234.50 → 壹仟贰佰叁拾肆元伍角整."""
    amount = to_fen(amount)
    prefix = "负" if amount < 0 else ""
    fen_total = int(abs(amount) * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if fen_total == 0:
        return "零元整"
    text = ""
    if yuan:
        groups = []
        while yuan:
            groups.append(yuan % 10000)
            yuan //= 10000
        pending_zero = False
        for gi in range(len(groups) - 1, -1, -1):
            group = groups[gi]
            if group == 0:
                pending_zero = bool(text)
                continue
            chunk = _group_upper(group, first=not text)
            if pending_zero and not chunk.startswith("零"):
                chunk = "零" + chunk
            text += chunk + BIG_UNITS[gi]
            pending_zero = False
        text += "元"
    if jiao == 0 and fen == 0:
        return prefix + text + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif text:
        text += "零"
    text += DIGITS[fen] + "分" if fen else "整"
    return prefix + text
