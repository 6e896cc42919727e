from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from measures.importing.recommendations import number_key, reference_key
from measures.models import Recommendation, RecommendationSource

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("Enter a real date, e.g. 2018-07-06.")}
TEXT_FIELDS = ("text_en", "text_az", "text_ru")


class RecommendationSourceForm(forms.ModelForm):
    class Meta:
        model = RecommendationSource
        fields = [
            "kind",
            "reference",
            "title_en",
            "title_az",
            "title_ru",
            "evaluation_round",
            "year",
            "published_on",
            "is_illustrative",
        ]
        widgets = {"published_on": DATE_WIDGET}
        error_messages = {
            "kind": {"required": _("Choose what kind of source it is.")},
            "reference": {"required": _("Write how the source is cited, e.g. GRETA(2018)17.")},
            "published_on": DATE_ERRORS,
            "year": {"invalid": _("Write the year as a number, e.g. 2018.")},
            "evaluation_round": {"invalid": _("Write the round as a number, e.g. 2.")},
        }

    def clean_reference(self):
        # Imports find a source by its reference whatever the spacing and case: two that differ only
        # in those would be one source to an import.
        reference = self.cleaned_data["reference"]
        key = reference_key(reference)
        # Within the source's country: the same report (TIP 2024) speaks to every country.
        others = (
            RecommendationSource.objects.filter(country_id=self.instance.country_id)
            .exclude(pk=self.instance.pk)
            .only("reference")
        )
        clash = next((source for source in others if reference_key(source.reference) == key), None)
        if clash is not None:
            raise forms.ValidationError(
                _("The source %(reference)s is already kept. Edit it instead, or cite this one differently."),
                params={"reference": clash.reference},
            )
        return reference

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not 1900 <= year <= date.today().year + 1:
            raise forms.ValidationError(_("Write the year the source was published, e.g. 2018."))
        return year


class RecommendationForm(forms.ModelForm):
    source = forms.ModelChoiceField(
        label=_("Source"),
        queryset=RecommendationSource.objects.order_by("kind", "-year", "reference"),
        error_messages={
            "required": _("Choose the source that makes the recommendation."),
            "invalid_choice": _("That source no longer exists. Choose another."),
        },
    )

    class Meta:
        model = Recommendation
        fields = ["source", "number", "text_en", "text_az", "text_ru", "issued_on", "priority", "is_illustrative"]
        widgets = {
            "issued_on": DATE_WIDGET,
            "text_en": forms.Textarea(attrs={"rows": 4}),
            "text_az": forms.Textarea(attrs={"rows": 4}),
            "text_ru": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "number": {"required": _("Write the number the source gives, e.g. §45 or P3.")},
            "issued_on": DATE_ERRORS,
        }

    def clean(self):
        cleaned = super().clean()
        if not any((cleaned.get(name) or "").strip() for name in TEXT_FIELDS):
            self.add_error("text_en", _("Write the recommendation in at least one language."))
        source, number = cleaned.get("source"), cleaned.get("number")
        if source and number:
            # Imports match a recommendation by its number without "§", "para." or spacing: "§45" and
            # "45" are the same recommendation of a source.
            key = number_key(number)
            clash = next(
                (
                    other
                    for other in source.recommendations.exclude(pk=self.instance.pk).only("number")
                    if number_key(other.number) == key
                ),
                None,
            )
            if clash is not None:
                self.add_error(
                    "number",
                    _("%(source)s already has recommendation %(number)s. Edit that one, or correct the number.")
                    % {"source": source.reference, "number": clash.number},
                )
        return cleaned


class MeasureRecommendationsForm(forms.Form):
    """Which recommendations a measure answers. The page lists them by source; an id sent that is not a
    recommendation (deleted meanwhile, or made up) is refused with a message, and nothing is saved."""

    recommendations = forms.ModelMultipleChoiceField(
        label=_("Recommendations it answers"),
        queryset=Recommendation.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _(
                "One of the chosen recommendations no longer exists — it may have been deleted meanwhile. "
                "Nothing was saved: check the list and save again."
            ),
            "invalid_pk_value": _(
                "“%(pk)s” is not a recommendation. Nothing was saved: check the list and save again."
            ),
        },
    )
