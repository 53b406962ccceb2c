"""A clause in both languages, rendered as a statement, a question or a dass-clause.

German: verb second in statements (after a fronted adjunct the subject follows the verb), verb first
in yes/no questions, the participle, infinitive or separable prefix at the end, and the whole verb
at the end of a dass-clause. English: do-support in questions and negation, have + participle,
modal + infinitive.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.translator.data.grammar import english as en
from engine.translator.data.grammar import german as de
from engine.translator.data.grammar.lexicon import Verb
from engine.translator.data.grammar.phrases import NP


@dataclass
class Clause:
    subject: NP
    verb: Verb
    objects: list[tuple[NP, str]] = field(default_factory=list)  # (phrase, German case), in German order
    adjuncts: list[tuple[str, str]] = field(default_factory=list)  # (English, German), German order
    complement: tuple[str, str] | None = None  # predicate of sein: ('tired', 'müde')
    tense: str = "present"  # present, perfect or past
    modal: str | None = None  # a key of german.MODALS
    negated: bool = False
    front: tuple[str, str] | None = None  # a fronted adjunct: ('at nine', 'um neun')

    @property
    def person(self) -> int:
        return self.subject.person

    def _kein_object(self) -> int | None:
        """Index of the object that negation turns into kein (the last object, if indefinite)."""
        if self.negated and self.objects and self.objects[-1][0].kein is not None:
            return len(self.objects) - 1
        return None

    def _german_finite(self) -> str:
        if self.modal:
            return de.MODALS[self.modal][self.person]
        if self.tense == "perfect":
            return de.finite_aux(self.verb.aux, self.person)
        form = de.past(self.verb, self.person) if self.tense == "past" else de.present(self.verb, self.person)
        if form is None:
            raise ValueError(f"no {self.tense} form of {self.verb.infinitive} for person {self.person}")
        return form

    def _german_final(self) -> list[str]:
        if self.modal:
            return [self.verb.infinitive]
        if self.tense == "perfect":
            return [self.verb.participle]
        return [self.verb.prefix] if self.verb.prefix else []

    def _german_middle(self) -> list[str]:
        kein = self._kein_object()
        words = []
        ordered = sorted(enumerate(self.objects), key=lambda item: not item[1][0].pronoun)  # pronouns first
        for index, (np, case) in ordered:
            words.append(np.kein[case] if index == kein and np.kein else np.german(case))
        if self.negated and kein is None:
            words.append("nicht")
        words += [german for _, german in self.adjuncts]
        return words + ([self.complement[1]] if self.complement else [])

    def german_statement(self) -> str:
        finite, middle, final = self._german_finite(), self._german_middle(), self._german_final()
        if self.front:
            words = [self.front[1], finite, self.subject.german("nom"), *middle, *final]
        else:
            words = [self.subject.german("nom"), finite, *middle, *final]
        return en.capitalize(" ".join(words)) + "."

    def german_question(self, wh: str = "") -> str:
        """Verb first (yes/no), or after the question word."""
        words = [wh, self._german_finite(), self.subject.german("nom"), *self._german_middle(), *self._german_final()]
        return en.capitalize(" ".join(w for w in words if w)) + "?"

    def german_subordinate(self) -> str:
        """'dass er die Tür aufmacht': the finite verb last, a separable prefix joined to it."""
        finite, final = self._german_finite(), self._german_final()
        if not self.modal and self.tense != "perfect" and self.verb.prefix:
            cluster = [self.verb.prefix + finite]
        else:
            cluster = [*final, finite]
        return " ".join(["dass", self.subject.german("nom"), *self._german_middle(), *cluster])

    def _english_rest(self) -> list[str]:
        words = [np.en_object for np, _ in self.objects]
        words += [self.complement[0]] if self.complement else []
        return words + [english for english, _ in reversed(self.adjuncts)]  # place before company

    def english_statement(self, subordinate: bool = False) -> str:
        _, _, verb = en.verb_group(self.verb, self.person, self.tense, self.negated, self.modal)
        words = [self.subject.en_subject, verb, *self._english_rest()]
        if self.front and not subordinate:
            words = [self.front[0], *words]
        text = " ".join(w for w in words if w)
        return text if subordinate else en.capitalize(text) + "."

    def english_question(self, wh: str = "") -> str:
        """'Does he read the book?', 'What has he read?'"""
        if self.negated:
            raise ValueError("questions are not negated")
        ask, rest, _ = en.verb_group(self.verb, self.person, self.tense, False, self.modal)
        words = [wh, ask if not wh else ask.lower(), self.subject.en_subject, rest, *self._english_rest()]
        return en.capitalize(" ".join(w for w in words if w)) + "?"
