"""LaTeX math in titles as readable text: ``$\\ell_p$`` → ``ℓₚ``, ``$O(n^2)$`` → ``O(n²)``.

Pure (no Flask). Only ``$…$`` and ``\\(…\\)`` spans are touched; text outside them is
returned as it is. Commands we do not know keep their name without the backslash,
so nothing is lost; the result is plain text (escaped by the template like any other).
"""

from __future__ import annotations

import re

__all__ = ["math_text"]

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}
_SYMBOLS = {
    "ell": "ℓ", "infty": "∞", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠",
    "approx": "≈", "sim": "∼", "simeq": "≃", "equiv": "≡", "propto": "∝", "times": "×", "cdot": "·",
    "pm": "±", "mp": "∓", "div": "÷", "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "cup": "∪",
    "cap": "∩", "forall": "∀", "exists": "∃", "partial": "∂", "nabla": "∇", "sum": "∑", "prod": "∏",
    "int": "∫", "to": "→", "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒", "mapsto": "↦",
    "ldots": "…", "dots": "…", "cdots": "⋯", "log": "log", "exp": "exp", "min": "min", "max": "max",
    "arg": "arg", "sup": "sup", "inf": "inf", "lim": "lim", "sin": "sin", "cos": "cos", "det": "det",
    "top": "⊤", "perp": "⊥", "star": "⋆", "circ": "∘", "emptyset": "∅", "varnothing": "∅", "|": "‖",
    "langle": "⟨", "rangle": "⟩", "lVert": "‖", "rVert": "‖", "Vert": "‖", "vert": "|", "lvert": "|",
    "rvert": "|", "%": "%", "$": "$", "&": "&", "#": "#", "_": "_", "{": "{", "}": "}",
    ",": " ", ";": " ", ":": " ", "!": "", "quad": " ", "qquad": "  ", " ": " ",
    "left": "", "right": "", "big": "", "Big": "", "bigl": "", "bigr": "", "displaystyle": "", "limits": "",
}
_BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ", "F": "𝔽", "1": "𝟙"}
_SUP = dict(zip("0123456789+-=()abcdefghijklmnoprstuvwxyzT*", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᵀ*", strict=True))
_SUB = dict(zip("0123456789+-=()aeijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))
_TEXT_COMMANDS = {"text", "mathrm", "mathbf", "mathit", "mathsf", "mathtt", "textbf", "textit", "operatorname",
                  "boldsymbol", "bm", "emph", "mathcal", "mathscr", "mathfrak", "hat", "tilde", "bar", "vec",
                  "widehat", "widetilde", "overline"}
#: A ``$…$`` span (as pandoc reads it: no space inside either dollar, no digit after the closing one).
_MATH_RE = re.compile(r"(?<!\\)\$(?![\s$])(.+?)(?<![\s\\])\$(?!\d)|\\\((.+?)\\\)")
_TOKEN_RE = re.compile(r"\\([A-Za-z]+|.)|([{}^_])|([^\\{}^_]+)", re.S)


def _group(tokens: list[tuple[str, str]], i: int) -> tuple[str, int]:
    """The text of the argument at ``i`` (a ``{…}`` group or one token) and the index after it."""
    if i >= len(tokens):
        return "", i
    kind, value = tokens[i]
    if kind == "open":
        depth, j, parts = 1, i + 1, []
        while j < len(tokens) and depth:
            k, v = tokens[j]
            depth += (k == "open") - (k == "close")
            if depth:
                parts.append((k, v))
            j += 1
        return _render(parts), j
    return _render([tokens[i]]), i + 1


def _wrap(text: str) -> str:
    """``text`` in parentheses when it is longer than one character (a fraction's part)."""
    return f"({text})" if len(text) > 1 else text


def _script(text: str, table: dict[str, str], mark: str) -> str:
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    return f"{mark}({text})" if len(text) > 1 else f"{mark}{text}"


def _render(tokens: list[tuple[str, str]]) -> str:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        if kind in ("sup", "sub"):
            arg, i = _group(tokens, i + 1)
            if kind == "sup" and arg == "\u2032":
                out.append("′")
                continue
            out.append(_script(arg, _SUP if kind == "sup" else _SUB, "^" if kind == "sup" else "_"))
            continue
        if kind == "cmd":
            if value in ("frac", "dfrac", "tfrac"):
                num, i = _group(tokens, i + 1)
                den, i = _group(tokens, i)
                out.append(f"{_wrap(num)}/{_wrap(den)}")
                continue
            if value == "sqrt":
                arg, i = _group(tokens, i + 1)
                out.append(f"√{arg}" if len(arg) == 1 else f"√({arg})")
                continue
            if value in ("mathbb", "mathbbm"):
                arg, i = _group(tokens, i + 1)
                out.append("".join(_BLACKBOARD.get(c, c) for c in arg))
                continue
            if value in _TEXT_COMMANDS:
                arg, i = _group(tokens, i + 1)
                out.append(arg)
                continue
            out.append(_GREEK.get(value) or _SYMBOLS.get(value, value))
        elif kind in ("open", "close"):
            pass
        else:
            out.append(value)
        i += 1
    return "".join(out)


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for m in _TOKEN_RE.finditer(text):
        if m.group(1) is not None:
            found.append(("cmd", m.group(1)))
        elif m.group(2) is not None:
            found.append({"{": ("open", "{"), "}": ("close", "}"), "^": ("sup", "^"), "_": ("sub", "_")}[m.group(2)])
        else:
            found.extend(("text", c) for c in m.group(3))  # one token per character: x^2y raises the 2 only
    return found


def _math(source: str) -> str:
    rendered = _render(_tokens(source.replace("'", "\u2032")))
    return re.sub(r" {2,}", " ", rendered).strip()


def math_text(text: str | None) -> str:
    r"""``text`` with its LaTeX math spans as readable Unicode text (``None`` → ``""``).

    >>> math_text(r"Sparse $\ell_p$ regression in $O(n^2 \log n)$ time")
    'Sparse ℓₚ regression in O(n² log n) time'
    >>> math_text(r"$\mathbb{R}^d$, $\frac{1}{2}$-approximation, $\sqrt{T}$ regret, $\epsilon$-DP")
    'ℝᵈ, 1/2-approximation, √T regret, ϵ-DP'
    >>> math_text(r"Learning in $\mathcal{O}(\sqrt{n})$ rounds with $k \geq 3$ arms")
    'Learning in O(√n) rounds with k ≥ 3 arms'
    >>> math_text(r"$x_{i,j}^{(t)}$ and $\alpha$-$\beta$ pruning; costs \$5")
    'x_(i,j)⁽ᵗ⁾ and α-β pruning; costs \\$5'
    >>> math_text("No math: 100$ and $ alone"), math_text(None)
    ('No math: 100$ and $ alone', '')
    """
    if not text:
        return ""
    if "$" not in text and "\\(" not in text:
        return text
    return _MATH_RE.sub(lambda m: _math(m.group(1) if m.group(1) is not None else m.group(2)), text)
