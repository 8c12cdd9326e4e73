from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other / non-binary")
    UNKNOWN = "unknown", _("Not known")


class ExploitationType(models.TextChoices):
    SEXUAL = "sexual", _("Sexual exploitation")
    LABOUR = "labour", _("Labour exploitation")
    DOMESTIC_SERVITUDE = "domestic_servitude", _("Domestic servitude")
    CRIMINAL = "criminal", _("Criminal exploitation")
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not known")


class Sector(models.TextChoices):
    AGRICULTURE = "agriculture", _("Agriculture")
    CAR_WASH = "car_wash", _("Car wash")
    NAIL_BAR = "nail_bar", _("Nail bar")
    CANNABIS = "cannabis_cultivation", _("Cannabis cultivation")
    HOSPITALITY = "hospitality", _("Hospitality")
    CONSTRUCTION = "construction", _("Construction")
    FOOD_PROCESSING = "food_processing", _("Food processing / factory")
    FISHING = "fishing", _("Fishing")
    CARE = "care", _("Care work")
    DOMESTIC = "domestic_work", _("Domestic work")
    COUNTY_LINES = "county_lines", _("County lines / drug dealing")
    BEGGING = "begging", _("Forced begging")
    SEX_INDUSTRY = "sex_industry", _("Sex industry")
    OTHER = "other", _("Other")


class ReferralSource(models.TextChoices):
    FIRST_RESPONDER = "first_responder", _("First responder")
    OTHER_AGENCY = "other_agency", _("Other agency")
    HELPLINE = "helpline", _("Helpline")
    SELF = "self_referral", _("Self-referral")
    POLICE_OPERATION = "police_operation", _("Police operation")


class Knowledge(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known")


class RiskLevel(models.TextChoices):
    STANDARD = "standard", _("Standard")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class DocumentsLocation(models.TextChoices):
    WITH_PERSON = "with_person", _("With the person")
    HELD_BY_EXPLOITER = "held_by_exploiter", _("Held by the exploiter")
    HOME_OFFICE = "home_office", _("With the Home Office")
    NONE = "none", _("No documents")
    UNKNOWN = "unknown", _("Not known")
    OTHER = "other", _("Elsewhere")


class NationalityGroup(models.TextChoices):
    UK = "uk", _("UK national")
    EEA = "eea", _("EEA national")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not known")


class ImmigrationStatus(models.TextChoices):
    BRITISH = "british", _("British citizen")
    SETTLED = "settled", _("Settled status / indefinite leave")
    PRE_SETTLED = "pre_settled", _("Pre-settled status")
    LEAVE = "leave", _("Limited leave to remain")
    ASYLUM_SEEKER = "asylum_seeker", _("Asylum seeker")
    REFUGEE = "refugee", _("Refugee status")
    TPS = "tps", _("Temporary Permission to Stay (victims of trafficking)")
    NO_STATUS = "no_status", _("No leave / irregular")
    UNKNOWN = "unknown", _("Not known")


class InterpreterGender(models.TextChoices):
    ANY = "any", _("No preference")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Outcome(models.TextChoices):
    FEELS_SAFE = "feels_safe", _("Feels safe")
    EXITED = "exited_exploitation", _("Exited exploitation")
    JUSTICE = "seeking_justice", _("Seeking justice")
    EDUCATION = "education", _("In education or training")
    EMPLOYMENT = "employment", _("In employment")
    CARING = "caring_for_children", _("Caring for their children")
    SAFE_RETURN = "safe_return", _("Returned home safely")
    HEALTH = "better_health", _("Better health")


class ClosureReason(models.TextChoices):
    MOVED_ON = "moved_on", _("Moved on / resettled")
    RETURNED = "returned_home", _("Returned home")
    TRANSFERRED = "transferred", _("Transferred to another service")
    DISENGAGED = "disengaged", _("Disengaged")
    SUPPORT_ENDED = "support_ended", _("Support ended")
    OTHER = "other", _("Other")


class DeclineReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    SIGNPOSTED = "signposted", _("Signposted elsewhere")
    NO_CAPACITY = "no_capacity", _("No capacity")
    DECLINED_SUPPORT = "declined_support", _("Person declined support")
    OTHER = "other", _("Other")


class Ethnicity(models.TextChoices):
    ASIAN = "asian", _("Asian or Asian British")
    BLACK = "black", _("Black, Black British, Caribbean or African")
    MIXED = "mixed", _("Mixed or multiple ethnic groups")
    WHITE = "white", _("White")
    OTHER = "other", _("Other ethnic group")
    PREFER_NOT = "prefer_not_to_say", _("Prefer not to say")


class YesNoPrefer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    PREFER_NOT = "prefer_not_to_say", _("Prefer not to say")


class SexualOrientation(models.TextChoices):
    HETEROSEXUAL = "heterosexual", _("Heterosexual / straight")
    GAY_LESBIAN = "gay_lesbian", _("Gay or lesbian")
    BISEXUAL = "bisexual", _("Bisexual")
    OTHER = "other", _("Other")
    PREFER_NOT = "prefer_not_to_say", _("Prefer not to say")


class Religion(models.TextChoices):
    NONE = "none", _("No religion")
    BUDDHIST = "buddhist", _("Buddhist")
    CHRISTIAN = "christian", _("Christian")
    HINDU = "hindu", _("Hindu")
    JEWISH = "jewish", _("Jewish")
    MUSLIM = "muslim", _("Muslim")
    SIKH = "sikh", _("Sikh")
    OTHER = "other", _("Other")
    PREFER_NOT = "prefer_not_to_say", _("Prefer not to say")
