"""The whole rule set: top-level keys, year selection, criteria order, and the CompiledRuleSet built from them."""

from __future__ import annotations

from .assess import CompiledRuleSet
from .compile_expressions import _ExpressionCompiler
from .criteria import (
    _ConditionCriterion,
    _Criterion,
    _Sum,
)
from .facts import (
    RuleSetError,
)
from .texts import (
    _CODE,
    _TOP_KEYS,
    _ZERO,
    gettext_noop,
)


class _Compiler(_ExpressionCompiler):
    """Validates a definition and builds its CompiledRuleSet; every problem is collected, not just the first."""

    # --- the whole rule set

    def compile(self) -> CompiledRuleSet:
        spec = self.definition
        where = "definition"
        if not self.keys(spec, where, _TOP_KEYS, ("code", "name", "criteria", "eligible")):
            raise RuleSetError(self.problems)
        code = spec["code"]
        if not isinstance(code, str) or not _CODE.match(code):
            self.problem("code", gettext_noop("代码应由字母、数字和下划线组成，且不以数字开头"))
        version = spec.get("version", 1)
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            self.problem("version", gettext_noop("应为正整数"))
            version = 1
        name = self.text(spec, "name", "definition")
        if not name:
            self.problem("name", gettext_noop("不能为空"))
        years = spec.get("years", {"count": 1, "before_assessment_year": True})
        if self.keys(years, "years", {"count", "before_assessment_year"}, ("count",)):
            count = years["count"]
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                self.problem("years.count", gettext_noop("应为正整数"))
            else:
                self.count = count
            before = years.get("before_assessment_year", True)
            if not isinstance(before, bool):
                self.problem("years.before_assessment_year", gettext_noop("应为true或false"))
            else:
                self.before = before

        criteria: list[_Criterion] = []
        codes: dict[str, _Criterion] = {}
        raw_specs: dict[str, dict] = {}
        items = spec["criteria"]
        if not isinstance(items, list) or not items:
            self.problem("criteria", gettext_noop("应为非空列表"))
            items = []
        for index, item in enumerate(items):
            label = item.get("code") if isinstance(item, dict) else None
            here = f"criteria[{index}]" + (f"（{label}）" if isinstance(label, str) else "")
            criterion = self.criterion(item, here)
            if criterion is None:
                # Already reported; a placeholder keeps references to it from being reported again.
                if isinstance(label, str):
                    codes.setdefault(label, _Criterion(label, label, label, False, self.texts))
                continue
            if criterion.code in codes:
                self.problem(here, gettext_noop("判定项代码“%(code)s”重复"), code=criterion.code)
                continue
            criterion.index = len(criteria)
            criteria.append(criterion)
            codes[criterion.code] = criterion
            raw_specs[criterion.code] = item

        # References between criteria: sums of scored criteria and condition tests.
        for criterion in criteria:
            here = f"criteria[{criterion.index}]（{criterion.code}）"
            if isinstance(criterion, _Sum):
                parts = []
                for part in criterion.deps:
                    target = codes.get(part)
                    if target is None:
                        self.problem(f"{here}.of", gettext_noop("引用了未定义的判定项“%(code)s”"), code=part)
                    elif target.index < 0:
                        continue
                    elif not target.scored:
                        self.problem(f"{here}.of", gettext_noop("“%(code)s”不是计分项，不能计入总分"), code=part)
                    else:
                        parts.append(target.index)
                criterion.parts = tuple(parts)
                criterion.max_score = sum((codes[p].max_score for p in criterion.deps if p in codes), _ZERO)
                criterion.min_score = sum((codes[p].min_score for p in criterion.deps if p in codes), _ZERO)
            elif isinstance(criterion, _ConditionCriterion):
                expr = self.expression(raw_specs[criterion.code]["test"], f"{here}.test", codes, False, None)
                if expr is not None:
                    criterion.test = expr.test
                    criterion.leaves = tuple(expr.leaves)
                    criterion.deps = tuple(dict.fromkeys(leaf[0].code for leaf in expr.leaves))
                    criterion.required_text = expr.text

        constraints: list = []
        eligible = self.expression(spec["eligible"], "eligible", codes, True, constraints)

        score_index = None
        if "score" in spec:
            target = codes.get(spec["score"]) if isinstance(spec["score"], str) else None
            if target is None:
                self.problem("score", gettext_noop("引用了未定义的判定项“%(code)s”"), code=spec["score"])
            elif target.index < 0:
                pass  # a criterion with its own problems, already reported
            elif not target.scored:
                self.problem("score", gettext_noop("“%(code)s”不是计分项"), code=spec["score"])
            else:
                score_index = target.index

        pending = spec.get("pending", [])
        if not isinstance(pending, list) or not all(isinstance(note, str) for note in pending):
            self.problem("pending", gettext_noop("应为文字列表"))
            pending = []
        title, ranges = self.ranges(spec["ranges"], "ranges") if "ranges" in spec else ("", ())

        order = self.order(criteria)
        if self.problems:
            raise RuleSetError(self.problems)
        assert eligible is not None

        for criterion, strict, bound in constraints:
            if (strict, bound) not in criterion.constraints:
                criterion.constraints = (*criterion.constraints, (strict, bound))
        for criterion in criteria:
            if criterion.scored:
                criterion.prepare_scored()
                for sub in getattr(criterion, "subs", ()):
                    sub.prepare_scored()

        # The compiled closures keep this compiler alive; they must not keep the caller's (mutable) dict.
        self.definition = None
        return CompiledRuleSet(
            code=code, version=version, name=name, description=self.text(spec, "description", "definition"),
            basis=self.text(spec, "basis", "definition"), count=self.count, before=self.before,
            criteria=tuple(criteria), order=tuple(order), eligible=eligible, score_index=score_index,
            pending=tuple(pending), range_title=title, ranges=ranges, texts=self.texts)

    def order(self, criteria: list[_Criterion]) -> list[_Criterion]:
        """Evaluation order: every criterion after those it reads (sums, conditions); cycles are errors."""
        by_code = {criterion.code: criterion for criterion in criteria}
        done: list[_Criterion] = []
        state: dict[str, int] = {}  # 1 visiting, 2 done

        def visit(criterion: _Criterion, path: list[str]) -> None:
            mark = state.get(criterion.code)
            if mark == 2:
                return
            if mark == 1:
                cycle = path[path.index(criterion.code):] + [criterion.code]
                self.problem(f"criteria（{criterion.code}）", gettext_noop("循环引用：%(cycle)s"),
                             cycle=" → ".join(cycle))
                return
            state[criterion.code] = 1
            for dep in criterion.deps:
                if dep in by_code:
                    visit(by_code[dep], [*path, criterion.code])
            state[criterion.code] = 2
            done.append(criterion)

        for criterion in criteria:
            visit(criterion, [])
        return done




def compile_ruleset(definition: dict) -> CompiledRuleSet:
    """Validate and compile a definition; RuleSetError lists every problem found."""
    return _Compiler(definition).compile()
