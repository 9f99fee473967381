"""PINs too easy to guess for a new account: patterns, and the 100 most common 6-digit PINs.

The list follows the published analyses of leaked 6-digit PINs (Wang et al., "Understanding
human-chosen PINs", 2017, and the RockYou/Tianya-derived tables): keypad shapes, doubled and
mirrored halves, dates and "I love you" codes. Rules cover repetitions and runs of any length.
"""

from __future__ import annotations

_TABLE = """
    123456 654321 111111 000000 123123 121212 112233 666666 222222 555555
    888888 999999 333333 444444 777777 123321 147258 789456 159753 987654
    520520 131313 101010 456789 102030 159357 147852 258369 741852 963852
    123654 321321 112358 696969 112211 123789 789789 456456 202020 252525
    998877 232323 110110 100200 520131 123000 111222 121314 212121 135790
    246810 135246 369369 147147 258258 102938 010203 112112 110011 100100
    007007 001122 332211 445566 778899 123098 456123 789123 159159 357357
    654123 741741 852852 963963 147369 369258 258147 951753 753951 852456
    654987 987321 000111 111000 123412 111333 999000 090909 080808 070707
    050505 030303 141414 151515 161616 171717 181818 191919 131420 112244
"""
MOST_COMMON = frozenset(_TABLE.split())


def _is_run(pin: str) -> bool:
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    return steps in ({1}, {9})  # 234567, 890123, 765432, 109876


def _is_repeated_block(pin: str) -> bool:
    """111111, 121212, 123123, 12341234: one short block over and over."""
    return any(
        len(pin) % size == 0 and pin == pin[:size] * (len(pin) // size)
        for size in range(1, len(pin) // 2 + 1)
    )


def weak_pin_reason(pin: str) -> str | None:
    """Why a new PIN is too easy to guess, or None when it will do."""
    if _is_repeated_block(pin):
        return "repeats the same digits"
    if _is_run(pin):
        return "is a run of consecutive digits"
    if pin in MOST_COMMON:
        return "is one of the most common PINs"
    return None
