with

source as (

    select * from {{ source('raw', 'giai_ngan_dtc') }}

),

renamed as (

    select
        _month as month_date,
        row_no as report_row_no,
        project_code,
        project_name,
        investor_unit_code,
        capital_source,
        annual_plan as annual_plan_mvnd,
        disbursed_in_month as disbursed_in_month_mvnd,
        disbursed_ytd as disbursed_ytd_mvnd,
        disbursement_rate_pct as printed_disbursement_rate_pct,
        _file as source_file,
        _line as source_line,
        _file_sha256 as source_file_sha256

    from source

)

select * from renamed
