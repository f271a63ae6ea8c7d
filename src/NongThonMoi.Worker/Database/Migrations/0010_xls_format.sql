-- Excel 97–2003 (.xls) uploads are read and archived like .xlsx ones; the archive's format column learns the name.
alter table submissions drop constraint submissions_format_check;
alter table submissions add constraint submissions_format_check check (format in ('json', 'csv', 'xlsx', 'xls'));
