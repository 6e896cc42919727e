# As Russian-speaking civil servants write them: 22.07.2020 in tables, "22 июля 2020 г." in prose, 24-hour clock.
DATE_FORMAT = "j E Y г."
SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "j E Y г., H:i"
SHORT_DATETIME_FORMAT = "d.m.Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y г."
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
