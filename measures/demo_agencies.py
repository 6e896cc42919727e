"""The bodies of the demo data: real Azerbaijani institutions named in the action plans.

Names in Azerbaijani and Russian are given only where they are known; a blank is left
rather than a guess (the pages then fall back to another language and mark it).
"""

# The country of the demo's plans (and the one existing data moved to, measures migration 0014).
COUNTRY = {
    "code": "az",
    "name_en": "Azerbaijan",
    "name_az": "Azərbaycan",
    "name_ru": "Азербайджан",
    "name_local": "Azərbaycan",
    "content_languages": "az,ru,en",
    "time_zone": "Asia/Baku",
}
# The national coordinator's office.
COORDINATOR_OFFICE = "MIA-MDCTHB"

# code, kind, English, Azerbaijani, Russian
AGENCIES = [
    (
        "MIA-MDCTHB",
        "state_body",
        "Main Department on Combating Trafficking in Human Beings, Ministry of Internal Affairs",
        "Daxili İşlər Nazirliyi İnsan Alverinə qarşı Mübarizə Baş İdarəsi",
        "Главное управление по борьбе с торговлей людьми Министерства внутренних дел",
    ),
    ("MIA", "ministry", "Ministry of Internal Affairs", "Daxili İşlər Nazirliyi", "Министерство внутренних дел"),
    ("CABMIN", "state_body", "Cabinet of Ministers", "Nazirlər Kabineti", "Кабинет министров"),
    (
        "MLSPP",
        "ministry",
        "Ministry of Labour and Social Protection of Population",
        "Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi",
        "Министерство труда и социальной защиты населения",
    ),
    ("SSA", "state_body", "Social Services Agency", "Sosial Xidmətlər Agentliyi", "Агентство социальных услуг"),
    ("ACVT", "state_body", "Assistance Center for Victims of Trafficking (Social Services Agency)", "", ""),
    (
        "SEA",
        "state_body",
        "State Employment Agency",
        "Dövlət Məşğulluq Agentliyi",
        "Государственное агентство занятости",
    ),
    ("MFA", "ministry", "Ministry of Foreign Affairs", "Xarici İşlər Nazirliyi", "Министерство иностранных дел"),
    ("MOJ", "ministry", "Ministry of Justice", "Ədliyyə Nazirliyi", "Министерство юстиции"),
    ("MOH", "ministry", "Ministry of Health", "Səhiyyə Nazirliyi", "Министерство здравоохранения"),
    (
        "MSE",
        "ministry",
        "Ministry of Science and Education",
        "Elm və Təhsil Nazirliyi",
        "Министерство науки и образования",
    ),
    ("MOC", "ministry", "Ministry of Culture", "Mədəniyyət Nazirliyi", "Министерство культуры"),
    ("MYS", "ministry", "Ministry of Youth and Sport", "Gənclər və İdman Nazirliyi", "Министерство молодёжи и спорта"),
    (
        "MDDT",
        "ministry",
        "Ministry of Digital Development and Transport",
        "Rəqəmsal İnkişaf və Nəqliyyat Nazirliyi",
        "Министерство цифрового развития и транспорта",
    ),
    ("MOF", "ministry", "Ministry of Finance", "Maliyyə Nazirliyi", "Министерство финансов"),
    ("SMS", "state_body", "State Migration Service", "Dövlət Miqrasiya Xidməti", "Государственная миграционная служба"),
    (
        "SSS",
        "state_body",
        "State Security Service",
        "Dövlət Təhlükəsizliyi Xidməti",
        "Служба государственной безопасности",
    ),
    ("SBS", "state_body", "State Border Service", "Dövlət Sərhəd Xidməti", "Государственная пограничная служба"),
    ("SCC", "state_body", "State Customs Committee", "Dövlət Gömrük Komitəsi", "Государственный таможенный комитет"),
    (
        "SCFWCA",
        "state_body",
        "State Committee for Family, Women and Children Affairs",
        "Ailə, Qadın və Uşaq Problemləri üzrə Dövlət Komitəsi",
        "Государственный комитет по проблемам семьи, женщин и детей",
    ),
    ("PGO", "justice", "Prosecutor General's Office", "Baş Prokurorluq", "Генеральная прокуратура"),
    ("SUPREME-COURT", "justice", "Supreme Court", "Ali Məhkəmə", "Верховный суд"),
    (
        "OMBUDSMAN",
        "justice",
        "Commissioner for Human Rights (Ombudsman)",
        "İnsan Hüquqları üzrə Müvəkkil (Ombudsman)",
        "Уполномоченный по правам человека (омбудсман)",
    ),
    (
        "NGO-AGENCY",
        "state_body",
        "Agency for State Support to Non-Governmental Organisations",
        "Qeyri-Hökumət Təşkilatlarına Dövlət Dəstəyi Agentliyi",
        "Агентство государственной поддержки неправительственных организаций",
    ),
    ("CLEAN-WORLD", "ngo", "Clean World", "Təmiz Dünya", ""),
    ("ACU", "ngo", "Azerbaijan Children Union", "Azərbaycan Uşaqlar Birliyi", ""),
    ("W21C", "ngo", "Women of the 21st Century", "XXI Əsrin Qadınları", ""),
    ("NGO-COALITION", "ngo", "NGO Coalition against Trafficking", "", ""),
    (
        "IOM",
        "international",
        "International Organization for Migration (IOM)",
        "Beynəlxalq Miqrasiya Təşkilatı",
        "Международная организация по миграции (МОМ)",
    ),
    (
        "ICMPD",
        "international",
        "International Centre for Migration Policy Development (ICMPD)",
        "Miqrasiya Siyasətinin İnkişafı üzrə Beynəlxalq Mərkəz (ICMPD)",
        "Международный центр по развитию миграционной политики (МЦРМП)",
    ),
    (
        "OSCE",
        "international",
        "Organization for Security and Co-operation in Europe (OSCE)",
        "Avropada Təhlükəsizlik və Əməkdaşlıq Təşkilatı (ATƏT)",
        "Организация по безопасности и сотрудничеству в Европе (ОБСЕ)",
    ),
    (
        "USAID",
        "international",
        "United States Agency for International Development (USAID)",
        "ABŞ Beynəlxalq İnkişaf Agentliyi (USAID)",
        "Агентство США по международному развитию (USAID)",
    ),
]
