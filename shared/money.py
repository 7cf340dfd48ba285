"""Money is integer fen; people see yuan."""


def yuan(fen: int) -> str:
    """``12345`` fen as ``¥123.45``."""
    return f"¥{fen // 100}.{fen % 100:02d}"
