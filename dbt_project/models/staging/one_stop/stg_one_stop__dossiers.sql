with

source as (

    select * from {{ source('raw', 'ho_so_tthc') }}

),

renamed as (

    select
        _month as month_date,
        dossier_id,
        procedure_code,
        procedure_name,
        domain as procedure_domain,
        unit_code,
        official_code,
        channel as submission_channel,
        received_at,
        due_at,
        finished_at,
        status as dossier_status,
        supplement_requests,
        delay_cause,
        _file as source_file,
        _line as source_line,
        _file_sha256 as source_file_sha256,
        apology_issued = 'yes' as is_apology_issued

    from source

)

select * from renamed
