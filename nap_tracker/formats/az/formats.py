# As Azerbaijani civil servants write them: 22.07.2020 in tables, "22 iyul 2020" in prose, 24-hour clock.
DATE_FORMAT = "j E Y"
SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "j E Y, H:i"
SHORT_DATETIME_FORMAT = "d.m.Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
