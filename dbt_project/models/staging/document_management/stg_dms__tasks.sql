with

source as (

    select * from {{ source('raw', 'nhiem_vu') }}

),

renamed as (

    select
        _month as month_date,
        task_id,
        title as task_title,
        source_document,
        meeting_id,
        unit_code,
        official_code,
        assigned_date,
        due_date,
        extended_due_date,
        completed_date,
        status as task_status,
        progress_pct,
        updated_at,
        _file as source_file,
        _line as source_line,
        _file_sha256 as source_file_sha256

    from source

)

select * from renamed
