def load_reference_data() -> dict[str, int]:
    return {}
