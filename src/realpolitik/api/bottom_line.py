"""The bottom line of a scenario, per issue, in plain sentences: what the analyst reads first.

:func:`bottom_lines` turns a forecast run (the ensemble's Monte Carlo distribution, or the first
model's), its one-at-a-time swings and the deal into one :class:`BottomLine` per issue:

- the **headline** is the distribution: the median of the sampled forecasts, the probability of
  each outcome band and the anchor nearest the median, in words; the forecast at the point values
  is shown as such, next to it;
- **how it was weighted**: the ensemble's weights and where they come from (equal weights today;
  ``weights_source`` and ``calibrated_band`` are slots for fitted weights and calibrated bands);
- the **negotiated package** where the scenario has a deal (``package_value``: where the package
  lands on this issue's scale, when the deal subsystem gives it);
- the three inputs that move it most, measured **over the distribution** (first-order variance
  shares and swings of the median, :mod:`realpolitik.uncertainty.given_data`), and the single
  most effective move;
- a **threshold** note when the point forecast lies outside its own 50 % band, or when an input's
  two swing ends move the forecast the same way: between which outcomes it jumps and what tips it.

Every name is a label of :mod:`realpolitik.scenario.labels`; the JSON keeps the ids too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.api.calibration import past_record
from realpolitik.api.deal import PACKAGES_CAPTION
from realpolitik.api.forecast import nearest_anchor
from realpolitik.api.report import ENSEMBLE, Absent, DealSummary, ForecastSection, ModelForecast
from realpolitik.jsonsafe import json_safe
from realpolitik.models.ensemble import member_specs
from realpolitik.models.registry import get_model
from realpolitik.scenario.bands import band_of
from realpolitik.scenario.labels import column_label, input_label, issue_label, value_label
from realpolitik.scenario.schema import Issue, Scenario

#: How many inputs the bottom line names.
TOP = 3
#: A swing end smaller than this share of the scale does not count as a move.
_TOL = 1e-3
#: A point forecast counts as outside its 50 % band when it lies beyond it by more than this
#: share of the scale (smaller gaps are Monte Carlo noise or a point value at the edge of its
#: range, not a jump).
_GAP = 0.01


if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Driver:
    """An input that moves the headline, measured over the distribution."""

    input: str
    label: str
    share: float  # first-order variance share S1
    median_low: float  # median forecast over the samples with the input in its lowest fifth
    median_high: float
    value_low: float
    value_high: float


@dataclass(frozen=True)
class Threshold:
    """The forecast sits on a jump between two outcomes."""

    reasons: list[str]
    between: tuple[str, str]
    tipped_by: str  # label of the input that tips it
    sentence: str


@dataclass(frozen=True)
class BottomLine:
    """The bottom line of one issue (see the module)."""

    issue: str
    issue_label: str
    model: str
    model_label: str
    samples: int
    median: float | None
    band_probabilities: dict[str, float]
    anchor: str | None
    point: float
    band_50: tuple[float, float] | None
    headline: str
    weighting: str
    weights_source: str
    drivers: list[Driver]
    drivers_sentence: str
    move: str | None
    stable: bool
    stability: str | None = None
    threshold: Threshold | None = None
    calibrated_band: tuple[float, float, float] | None = None  # (level, low, high), fitted
    package: dict[str, str] | None = None
    package_probability: float | None = None
    package_value: float | None = None  # where the package lands on this issue's scale
    package_sentence: str | None = None
    notes: list[str] = field(default_factory=list)

    def sentences(self) -> list[str]:
        """The bottom line in reading order, one sentence each (absent parts left out)."""
        calibrated = None
        if self.calibrated_band is not None:
            level, lo, hi = self.calibrated_band
            calibrated = (f"Calibrated {level:.0%} band (from the models' past errors on EU "
                          f"legislation; that it transfers here is an assumption): {lo:.1f} to "
                          f"{hi:.1f}.")
        out = [self.headline, self.threshold.sentence if self.threshold else None,
               self.weighting, calibrated, self.package_sentence, self.drivers_sentence,
               self.move, self.stability]
        return [s for s in out if s]

    def to_json(self) -> dict[str, Any]:
        """Ids and labels, numbers and the sentences (non-finite numbers are null)."""
        doc = asdict(self)
        doc["sentences"] = self.sentences()
        return json_safe(doc)


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if abs(x - round(x)) < 0.05 else f"{x:.1f}"


def _most_likely(probs: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(probs.items(), key=lambda kv: -kv[1])


def headline(issue: Issue, mf: ModelForecast, name: str, scenario: Scenario) -> str:
    """The distribution in one sentence, with the point forecast as such."""
    point = mf.point[issue.id]
    if mf.samples == 0:
        band = band_of(issue, point)
        return (f"{issue.name}: {name} forecasts {_fmt(point)} at the inputs' point values"
                + (f" ({band})" if band else "") + f", nearest to “{nearest_anchor(issue, point)}”"
                " (no Monte Carlo samples, so no probabilities).")
    q = mf.quantiles(issue.id)
    probs = mf.band_probabilities(scenario, issue.id)
    shares = ", ".join(f"{p:.0%} {b}" for b, p in _most_likely(probs))
    anchor = nearest_anchor(issue, q["p50"])
    text = (f"{issue.name}: {name} puts the median at {_fmt(q['p50'])} (half of the "
            f"{mf.samples:,} samples between {_fmt(q['p25'])} and {_fmt(q['p75'])})")
    if shares:
        text += f"; outcome bands: {shares}"
    if anchor:
        text += f"; nearest anchor: “{anchor}”"
    return text + f". At the point values it gives {_fmt(point)}."


def weighting(mf: ModelForecast, weights_source: str) -> str:
    """How the headline model combines the models, in one sentence."""
    if mf.model != ENSEMBLE:
        return f"The headline is one model's: {mf.title}."
    specs = member_specs()
    weights = mf.past.get("weights")
    if weights:
        ranked = sorted(specs, key=lambda s: -float(weights.get(s.name, 0.0)))
        parts = [f"{s.title} {float(weights.get(s.name, 0.0)):.2f}" for s in ranked]
        return (f"The ensemble weighs its {len(specs)} models by their record on past decisions "
                f"({weights_source}): " + "; ".join(parts) + ".")
    return (f"The ensemble gives each of its {len(specs)} models the same weight "
            f"({weights_source}): " + "; ".join(s.title for s in specs) + ".")


def calibrated(mf: ModelForecast, issue: str) -> tuple[float, float, float] | None:
    """The model's calibrated 80 % band of ``issue`` (level, low, high), where one is recorded."""
    band = (mf.past.get("calibrated") or {}).get(issue, {}).get("80")
    return None if band is None else (0.80, float(band[0]), float(band[1]))


def _drivers(scenario: Scenario, frame: pd.DataFrame, issue: str) -> list[Driver]:
    sub = frame[frame["issue"] == issue].head(TOP)
    return [Driver(r["input"], input_label(scenario, r["input"]), float(r["S1"]),
                   float(r["median_low"]), float(r["median_high"]), float(r["value_low"]),
                   float(r["value_high"])) for r in sub.to_dict("records")]


def drivers_sentence(drivers: list[Driver], issue: Issue) -> str:
    """The inputs that move the median most, in one sentence."""
    if not drivers:
        return (f"No driver over the distribution of {issue.name} could be measured (too few "
                "samples or no uncertain input).")
    parts = []
    for d in drivers:
        way = "raises" if d.median_high > d.median_low else "lowers"
        parts.append(f"{d.label} ({d.share:.0%} of the variance; a high value {way} the median "
                     f"from {_fmt(d.median_low)} to {_fmt(d.median_high)})")
    return "Moves it most: " + "; ".join(parts) + "."


def move_sentence(drivers: list[Driver], issue: Issue, median: float) -> str | None:
    """The single most effective move: the input end that shifts the median furthest."""
    best: tuple[float, Driver, bool] | None = None
    for d in drivers:
        for high in (False, True):
            shift = abs((d.median_high if high else d.median_low) - median)
            if best is None or shift > best[0]:
                best = (shift, d, high)
    if best is None:
        return None
    _, d, high = best
    value, to = (d.value_high, d.median_high) if high else (d.value_low, d.median_low)
    band = band_of(issue, to)
    return (f"The most effective single move: {d.label} at about {_fmt(value)} "
            f"({'its highest' if high else 'its lowest'} fifth) puts the median at {_fmt(to)}"
            + (f" ({band})" if band else "") + ".")


def threshold(issue: Issue, mf: ModelForecast, scenario: Scenario, swings: pd.DataFrame | None,
              name: str, drivers: list[Driver] | None = None) -> Threshold | None:
    """A note when the point forecast is on a jump (see the module); None when it is not."""
    point = mf.point[issue.id]
    span = issue.scale[1] - issue.scale[0]
    reasons = []
    q = mf.quantiles(issue.id)
    if q and not (q["p25"] - _GAP * span <= point <= q["p75"] + _GAP * span):
        reasons.append(f"the point forecast {_fmt(point)} lies outside its own 50% band "
                       f"({_fmt(q['p25'])}-{_fmt(q['p75'])})")
    same: Any = ()  # the swings whose two ends move the forecast the same way (a frame)
    if swings is not None and len(swings):
        sub = swings[swings["issue"] == issue.id]
        lo, hi = sub["forecast_low"] - sub["base"], sub["forecast_high"] - sub["base"]
        moved = (lo.abs() > _TOL * span) & (hi.abs() > _TOL * span)
        same = sub[moved & (np.sign(lo) == np.sign(hi))]
        if len(same):
            reasons.append(f"{len(same)} input(s) move the forecast the same way at both "
                           "ends of their range")
    if not reasons:
        return None
    probs = mf.band_probabilities(scenario, issue.id) if mf.samples else {}
    here = band_of(issue, point) or "its band"
    other = next((b for b, p in _most_likely(probs) if b != here and p > 0), None)
    if other is None and len(same):
        r = same.iloc[0]
        far = r["forecast_low"] if abs(r["forecast_low"] - point) > abs(
            r["forecast_high"] - point) else r["forecast_high"]
        other = band_of(issue, float(far)) or f"{_fmt(float(far))}"
    median = q.get("p50") if q else None
    jump = (f"{name[:1].upper() + name[1:]} jumps between {here} and {other}" if other and other != here
            else f"{name[:1].upper() + name[1:]} stays in {here} but jumps within it"
            + (f" (from {_fmt(point)} at the point values to a median of {_fmt(median)})"
               if median is not None else ""))
    if len(same):
        r = same.sort_values("swing", ascending=False).iloc[0]
        tip = input_label(scenario, r["input"])
        tip_text = (f"{tip} tips it (at its 5% value the forecast is {_fmt(r['forecast_low'])}, "
                    f"at its 95% value {_fmt(r['forecast_high'])})")
    elif drivers:
        d = drivers[0]
        tip = d.label
        tip_text = (f"{tip} tips it most ({d.share:.0%} of the variance: the median is "
                    f"{_fmt(d.median_low)} with it low, {_fmt(d.median_high)} with it high)")
    else:
        tip = ""
        tip_text = "any of the uncertain inputs can tip it"
    sentence = f"On a threshold: {'; '.join(reasons)}. {jump}; {tip_text}."
    return Threshold(reasons, (here, other or here), tip, sentence)


def _package(deal: DealSummary | Absent | None, scenario: Scenario,
             issue: Issue) -> tuple[dict[str, str] | None, float | None, float | None, str | None]:
    if not isinstance(deal, DealSummary):
        return None, None, None, None
    found = [t for t in deal.tables if t.caption.startswith(PACKAGES_CAPTION)]
    if not found:
        return None, None, None, None
    packages = found[0].records()
    if not packages:
        return None, None, None, (f"The deal between {' and '.join(deal.parties)} reaches no "
                                  "agreement in the samples.")
    top = packages[0]
    skip = {"rank", "probability", "low", "high", "mean_round"}
    units = {di.id: di.unit for di in scenario.deal.issues} if scenario.deal else {}
    items = {k: value_label(v) if not isinstance(v, float) else
             f"{_fmt(v)} {units[k]}" if units.get(k) else _fmt(v)
             for k, v in top.items() if k not in skip and not k.startswith("u[")}
    prob = float(top.get("probability") or 0.0)
    value = None
    on_scale = deal.on_scale or {}
    if on_scale.get("issue") == issue.id:  # the deal maps its packages onto this issue
        value = on_scale.get("median", on_scale.get("negotiated"))
    words = "; ".join(f"{column_label(k, scenario)}: {v}" for k, v in items.items())
    sentence = (f"Negotiated package (agreement in {deal.p_agreement:.0%} of the samples; the "
                f"most likely package, {prob:.0%}): {words}.")
    if value is not None:
        band = band_of(issue, value)
        sentence += f" On this issue's scale the agreements land at {_fmt(value)} (median)" + (
            f" ({band})." if band else ".")
    return items, prob, value, sentence


def headline_model(fc: ForecastSection) -> ModelForecast | None:
    """The ensemble where it was run, else the first model."""
    if isinstance(fc.ensemble, ModelForecast):
        return fc.ensemble
    return fc.models[0] if fc.models else None


def bottom_lines(scenario: Scenario, fc: ForecastSection, *, swings: pd.DataFrame | None = None,
                 deal: DealSummary | Absent | None = None, positions: str = "stated",
                 weights_source: str = "equal weights, not fitted to past outcomes",
                 ) -> list[BottomLine]:
    """One :class:`BottomLine` per issue from a forecast run, its swings and the deal."""
    mf = headline_model(fc)
    if mf is None:
        return []
    weights_source = mf.past.get("weights_source") or weights_source
    name = "the ensemble" if mf.model == ENSEMBLE else f"the {get_model(mf.model).title} model"
    drivers_frame = None
    if mf.distribution is not None:
        from realpolitik.uncertainty.given_data import first_order  # lazily: pandas, scipy

        drivers_frame = first_order(scenario, mf.distribution.values, int(mf.seed or 0),
                                    positions)  # type: ignore[arg-type]
    out = []
    for issue in scenario.issues:
        q = mf.quantiles(issue.id)
        median = q.get("p50")
        drivers = (_drivers(scenario, drivers_frame, issue.id)
                   if drivers_frame is not None and len(drivers_frame) else [])
        check = mf.distribution.band_check(issue.id) if mf.distribution is not None else None
        stability = None if check is None or check.stable else (
            f"Too few samples for a stable band: {check.message()}.")
        items, prob, value, package = _package(deal, scenario, issue)
        out.append(BottomLine(
            issue=issue.id, issue_label=issue_label(scenario, issue.id), model=mf.model,
            model_label=mf.title, samples=mf.samples, median=median,
            band_probabilities=mf.band_probabilities(scenario, issue.id) if mf.samples else {},
            anchor=nearest_anchor(issue, median if median is not None else mf.point[issue.id]),
            point=mf.point[issue.id],
            band_50=(q["p25"], q["p75"]) if q else None,
            headline=headline(issue, mf, name, scenario),
            weighting=weighting(mf, weights_source), weights_source=weights_source,
            calibrated_band=calibrated(mf, issue.id),
            drivers=drivers,
            drivers_sentence=(drivers_sentence(drivers, issue) if mf.samples else
                              "Which inputs move it needs Monte Carlo samples; none were "
                              "drawn."),
            move=move_sentence(drivers, issue, median) if median is not None else None,
            stable=check is None or check.stable, stability=stability,
            threshold=threshold(issue, mf, scenario, swings, name, drivers),
            package=items, package_probability=prob, package_value=value,
            package_sentence=package))
    return out


def from_forecast(result: Any, deal_info: dict[str, Any] | None = None) -> list[BottomLine]:
    """The bottom line of a :class:`~realpolitik.api.forecast.ForecastResult` (``forecast``'s table).

    With Monte Carlo samples the headline is the distribution and the one-at-a-time swings of the
    same model feed the threshold check; without, the point forecast is the headline, as such.
    ``deal_info`` (``result.deal_on_scale()``) adds the negotiated package on its issue.
    """
    spec = get_model(result.model)
    sc = result.scenario
    seed = int(result.seed or 0)
    mf = ModelForecast(spec.name, spec.title, spec.reference, tuple(sc.issue_ids),
                       result.forecast, result.sampled, seed, past_record(result))
    section = ForecastSection([mf], Absent("the headline model is the one asked for"),
                              mf.samples, seed)
    sw = None
    if result.sampled is not None:
        from realpolitik.uncertainty.sensitivity import swings  # lazily: pandas, scipy

        sw = swings(sc, spec.name, positions=result.positions, seed=seed)
    lines = bottom_lines(sc, section, swings=sw, positions=result.positions)
    return [_with_deal(line, deal_info, result) for line in lines] if deal_info else lines


def _with_deal(line: BottomLine, info: dict[str, Any], result: Any) -> BottomLine:
    """``line`` with the package negotiated at point values (``ForecastResult.deal_on_scale``)."""
    from dataclasses import replace

    from realpolitik.api.deal import coalition_sentence
    from realpolitik.scenario.labels import in_words

    if info.get("issue") != line.issue or info.get("negotiated") is None:
        return line
    dom = result.scenario.deal.domestic
    text = coalition_sentence(info, result.forecast.get(line.issue), result.model,
                              None if dom is None else dom.party)
    return replace(line, package_value=float(info["negotiated"]),
                   package_sentence=in_words(result.scenario, text))
