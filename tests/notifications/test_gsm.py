from notifications import gsm


def test_typography_from_letters_is_made_gsm7():
    text = gsm.normalise("Your appeal\u2019s date \u2013 \u201cMonday\u201d\u00a01 March\u2026")
    assert text == 'Your appeal\'s date - "Monday" 1 March...'
    assert gsm.is_gsm7(text)


def test_segments_count_gsm7_and_unicode():
    assert gsm.segments("a" * 160) == 1
    assert gsm.segments("a" * 161) == 2
    assert gsm.segments("a" * 459) == 3
    assert gsm.segments("a" * 460) == 4
    assert gsm.segments("€" * 80) == 1  # extension characters take two places
    assert gsm.segments("€" * 81) == 2
    assert gsm.segments("é" * 10 + "\u2019") == 1  # one curly quote: UCS-2
    assert gsm.segments("x" * 70 + "\u2019") == 2
