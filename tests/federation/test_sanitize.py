"""Sanitizing remote HTML: Mastodon's element set survives, anything active does not."""

import pytest

from activitypub.sanitize import html_to_text, sanitize_html

REL = 'rel="nofollow noopener noreferrer"'


def test_mastodon_post_markup_survives():
    html = ('<p><span class="h-card" translate="no"><a href="https://m.example/@bob" '
            'class="u-url mention">@<span>bob</span></a></span> look at '
            '<a href="https://m.example/tags/art" class="mention hashtag" rel="tag">#<span>art</span></a> '
            '<a href="https://example.org/a/very/long/path" rel="nofollow noopener" target="_blank">'
            '<span class="invisible">https://</span><span class="ellipsis">example.org/a/very</span>'
            '<span class="invisible">/long/path</span></a></p>')
    clean = sanitize_html(html)
    assert '<span class="h-card"><a href="https://m.example/@bob" class="u-url mention" ' + REL in clean
    assert 'class="mention hashtag"' in clean
    assert '<span class="invisible">https://</span>' in clean
    assert '<span class="ellipsis">' in clean
    assert "target" not in clean and "translate" not in clean


def test_formatting_elements_are_kept():
    html = ("<p><strong>b</strong><b>b</b><em>i</em><i>i</i><u>u</u><del>d</del><s>s</s>"
            "<code>c</code></p><pre><code>x = 1</code></pre><blockquote><p>q</p></blockquote>"
            '<ul><li>one</li></ul><ol start="3"><li>three</li></ol><p>a<br>b</p>')
    assert sanitize_html(html) == html


def test_script_and_style_are_removed_with_their_content():
    clean = sanitize_html("<p>hi<script>alert(1)</script><style>p{}</style></p>")
    assert clean == "<p>hi</p>"


def test_event_handlers_and_unknown_elements_are_stripped():
    clean = sanitize_html('<p onclick="x()">a<img src="x" onerror="alert(1)">'
                          '<iframe src="https://e.example"></iframe>'
                          '<div style="position:fixed">b</div></p>')
    assert "onclick" not in clean and "onerror" not in clean
    assert "<img" not in clean and "<iframe" not in clean and "style" not in clean
    assert "a" in clean and "b" in clean


@pytest.mark.parametrize("href", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:x", "/relative",
])
def test_dangerous_and_relative_links_lose_their_href(href):
    clean = sanitize_html(f'<a href="{href}">click</a>')
    assert "href" not in clean and "script" not in clean.lower().replace("click", "")
    assert clean == f"<a {REL}>click</a>"


def test_links_are_forced_to_nofollow_noopener_noreferrer():
    assert sanitize_html('<a href="https://e.example" rel="me">x</a>') == \
        f'<a href="https://e.example" {REL}>x</a>'
    assert sanitize_html('<a href="mailto:a@e.example">mail</a>') == \
        f'<a href="mailto:a@e.example" {REL}>mail</a>'


def test_only_known_classes_are_kept():
    clean = sanitize_html('<span class="invisible evil-overlay">x</span>'
                          '<a class="mention big" href="https://e.example">y</a>')
    assert 'class="invisible"' in clean and 'class="mention"' in clean
    assert "evil" not in clean and "big" not in clean


def test_headings_become_bold_paragraphs():
    assert sanitize_html("<h1>Title</h1><h3 id='x'>Sub</h3>") == \
        "<p><strong>Title</strong></p><p><strong>Sub</strong></p>"


def test_comments_and_empty_input():
    assert sanitize_html("<!-- secret -->x") == "x"
    assert sanitize_html("") == "" and sanitize_html(None) == ""


def test_html_to_text():
    html = ("<p>Hello &amp; <b>welcome</b>,<br>friend</p><p>second <a href='https://e.example'>"
            "<span class='invisible'>https://</span>e.example</a></p><script>alert(1)</script>")
    assert html_to_text(html) == "Hello & welcome,\nfriend\n\nsecond https://e.example"


def test_html_to_text_of_lists_and_plain_text():
    assert html_to_text("<ul><li>one</li><li>two</li></ul>") == "one\ntwo"
    assert html_to_text("just text") == "just text"
    assert html_to_text(None) == ""
